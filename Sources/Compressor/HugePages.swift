#if canImport(Glibc)
    import Glibc
#endif

/// Advice to the kernel that a big buffer be backed by transparent huge pages.
///
/// The fast engine reads its position lists and text at random: on a 250 000-symbol input
/// that is some 40 MB, far beyond what the TLB maps with 4 KiB pages. Advised, the same
/// accesses go through 2 MiB pages (`Growth.fast.250k`: 136 → 98 ms p50, measured with glibc
/// making the same advice). Only whole 2 MiB-aligned stretches inside the buffer are advised,
/// so nothing else changes; where huge pages are off, or on other systems, nothing happens.
public enum HugePages {
    static let size = 2 << 20

    /// Advises the 2 MiB-aligned part of `byteCount` bytes at `base`, when there is one.
    public static func advise(_ base: UnsafeMutableRawPointer, byteCount: Int) {
        #if canImport(Glibc)
            let start = (UInt(bitPattern: base) + UInt(size - 1)) & ~UInt(size - 1)
            let end = (UInt(bitPattern: base) + UInt(byteCount)) & ~UInt(size - 1)
            guard end > start, let aligned = UnsafeMutableRawPointer(bitPattern: start) else { return }
            _ = madvise(aligned, Int(end - start), 14)  // MADV_HUGEPAGE
        #endif
    }
}

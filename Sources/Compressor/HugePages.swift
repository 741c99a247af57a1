import Synchronization

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

    /// Whether the compression's second thread advises its malloc heap as `adviseThreadHeap()`
    /// does (off unless a program turns it on: it is a process-wide memory policy, which the
    /// command line sets for `compress` beside its own heap's, `LargeHeap`).
    public static let advisesSecondThreadHeap = Atomic<Bool>(false)

    /// Advises the malloc heap the calling thread allocates from for huge pages, when that is
    /// a heap of its own (glibc gives a second thread an arena of its own: a 64 MiB-aligned
    /// reservation, grown in place), not the main heap.
    ///
    /// The second thread of `compress` sets up half the compression's buffers and, on a large
    /// input, sorts the names; on its own heap, page by page, its setup lagged the calling
    /// thread's by 0.4–0.8 ms on the armhf map. Only the reservation's mapped parts change;
    /// where huge pages are off, or on other systems, nothing happens.
    static func adviseThreadHeap() {
        #if canImport(Glibc)
            guard let probe = malloc(64) else { return }
            defer { free(probe) }
            let address = UInt(bitPattern: probe)
            // The main heap lies below the program break; a thread's arena is mapped elsewhere.
            guard address > UInt(bitPattern: sbrk(0)) else { return }
            guard let reservation = UnsafeMutableRawPointer(bitPattern: address & ~UInt(threadHeapSize - 1)) else { return }
            advise(reservation, byteCount: threadHeapSize)
        #endif
    }

    /// The size and alignment of a glibc thread arena's reservation on 64-bit systems
    /// (`HEAP_MAX_SIZE`, twice the largest mmap threshold).
    static let threadHeapSize = 64 << 20
}

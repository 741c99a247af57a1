import Compressor

#if canImport(Glibc)
    import Glibc
#endif

/// Process-wide memory tuning for the command line: one large heap on transparent huge pages.
///
/// A `compress` run on a kernel map touches about 25 MB of fresh memory. With malloc's
/// defaults each 4 KiB page of it costs a page fault (about 6 000 per run, a quarter of the
/// run's time on a virtual machine), big blocks are mapped and unmapped one by one, and freed
/// memory is handed back to the kernel only to be faulted in again by the next stage. So, once,
/// before any work:
/// - blocks up to 32 MiB come from the main heap and the heap grows 64 MiB at a time and is
///   never trimmed, so memory freed by one stage is reused by the next;
/// - the heap's address range is advised for transparent huge pages (`MADV_HUGEPAGE`), so
///   where the kernel allows it (`/sys/kernel/mm/transparent_hugepage/enabled` is `always` or
///   `madvise`) a fault maps 2 MiB at once.
/// Nothing changes but speed: where huge pages are off, the advice is a no-op. Measured on the
/// armhf map (`compress --era v6.1 --base-relative`): page faults 6 000 → 900, peak memory
/// 42 → 37 MiB (see docs/lab-results.md, "Performance").
enum LargeHeap {
    static func prepare() {
        #if canImport(Glibc)
            // mallopt (malloc.h, not in the Glibc module) and its parameter numbers:
            // M_TRIM_THRESHOLD -1, M_TOP_PAD -2, M_MMAP_THRESHOLD -3.
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
            let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
            let mebibyte: Int32 = 1 << 20
            guard mallopt(-3, 32 * mebibyte) == 1, mallopt(-2, 64 * mebibyte) == 1,
                mallopt(-1, Int32.max) == 1
            else { return }
            // Grow the heap now (a block under the mapping threshold but above the free top),
            // then advise the whole grown range.
            // (malloc is called through its symbol, so that the compiler cannot drop the pair.)
            typealias Malloc = @convention(c) (Int) -> UnsafeMutableRawPointer?
            guard let mallocSymbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc") else { return }
            let before = UInt(bitPattern: sbrk(0))
            guard let block = unsafeBitCast(mallocSymbol, to: Malloc.self)(Int(mebibyte)) else { return }
            free(block)
            let after = UInt(bitPattern: sbrk(0))
            guard before != UInt.max, after > before, let start = UnsafeMutableRawPointer(bitPattern: before) else { return }
            HugePages.advise(start, byteCount: Int(after - before))
        #endif
    }
}

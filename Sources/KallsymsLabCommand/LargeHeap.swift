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
///
/// `secondThread`: the compression's second thread advises its own malloc heap the same way
/// (`HugePages.advisesSecondThreadHeap`), for `compress`, whose one run is split between two
/// threads (docs/lab-results.md, "Twelfth stop").
enum LargeHeap {
    static func prepare(secondThread: Bool = false) {
        if secondThread { HugePages.advisesSecondThreadHeap.store(true, ordering: .relaxed) }
        #if canImport(Glibc)
            // M_TRIM_THRESHOLD -1, M_TOP_PAD -2, M_MMAP_THRESHOLD -3 (malloc.h).
            let mebibyte: Int32 = 1 << 20
            guard glibcMallopt(-3, 32 * mebibyte) == 1, glibcMallopt(-2, 64 * mebibyte) == 1,
                glibcMallopt(-1, Int32.max) == 1
            else { return }
            // Grow the heap now (a block under the mapping threshold but above the free top),
            // then advise the whole grown range. (The block comes through the Swift runtime's
            // allocator, which the optimizer cannot drop as it can a plain malloc–free pair.)
            let before = UInt(bitPattern: sbrk(0))
            let block = UnsafeMutableRawPointer.allocate(byteCount: Int(mebibyte), alignment: 16)
            block.deallocate()
            let after = UInt(bitPattern: sbrk(0))
            guard before != UInt.max, after > before, let start = UnsafeMutableRawPointer(bitPattern: before) else { return }
            HugePages.advise(start, byteCount: Int(after - before))
        #endif
    }
}

#if canImport(Glibc)
    /// glibc's `mallopt` (declared in malloc.h, which the Glibc module does not export). Called
    /// by name, not looked up with `dlsym`: the release executable is static, and has no
    /// dynamic symbol table to look in.
    @_silgen_name("mallopt")
    private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif

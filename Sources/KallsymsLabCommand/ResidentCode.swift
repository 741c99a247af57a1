#if canImport(Glibc)
    import Glibc
#endif

/// Lets go of the code pages start-up has touched, before `decode IMAGE` reads an image.
///
/// The executable is an 82 MB static binary with Foundation in it: before `main` runs, the
/// dynamic loader, the Swift runtime's image registration and CoreFoundation's constructor
/// touch pages all over its 20 MB of code, and the kernel maps each faulting page with its
/// neighbours (fault-around, 64 KiB). By the time a command starts, 4.3 MB of the binary's
/// code and 1.8 MB of the shared libraries' are resident, most of it never run again, and
/// all of it counted in the process's peak resident set. `MADV_DONTNEED` on the executable
/// mappings (`r-xp`, file-backed, never written) removes them from the page tables; the pages
/// stay in the page cache, and the ones the command still runs fault back in.
///
/// Only mappings that are executable and not writable are touched: their contents are the
/// file's, so dropping them loses nothing (a debugger's software breakpoints, written into
/// private copies of code pages, would be lost with them).
enum ResidentCode {
    static func release() {
        #if os(Linux)
            let fd = open("/proc/self/maps", O_RDONLY)
            guard fd >= 0 else { return }
            var maps: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 16 << 10)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                maps.append(contentsOf: chunk[..<count])
            }
            close(fd)
            // Each line: START-END PERMS OFFSET DEVICE INODE PATH.
            for line in maps.split(separator: 0x0A) {
                let fields = line.split(separator: 0x20)
                guard fields.count >= 6, fields[1].elementsEqual("r-xp".utf8), fields[5].first == UInt8(ascii: "/") else {
                    continue
                }
                let range = fields[0].split(separator: UInt8(ascii: "-"))
                guard range.count == 2,
                    let start = UInt(String(decoding: range[0], as: UTF8.self), radix: 16),
                    let end = UInt(String(decoding: range[1], as: UTF8.self), radix: 16), end > start,
                    let address = UnsafeMutableRawPointer(bitPattern: start)
                else { continue }
                _ = madvise(address, Int(end - start), MADV_DONTNEED)
            }
        #endif
    }
}

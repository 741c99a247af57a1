import Foundation
import Testing

@testable import Compressor

#if canImport(Glibc)
    import Glibc
#endif

/// The huge-page advice of a second thread's malloc heap (`HugePages.adviseThreadHeap`), read
/// back from the kernel's view of the process's mappings.
@Suite struct HugePagesTests {
    /// The `VmFlags` of the mapping that holds `address`, from `/proc/self/smaps`.
    static func vmFlags(of address: UInt) throws -> [Substring]? {
        // (Read to the end: a file of /proc reports a size of 0.)
        let handle = try #require(FileHandle(forReadingAtPath: "/proc/self/smaps"))
        let smaps = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        var inside = false
        for line in smaps.split(separator: "\n") {
            if let dash = line.firstIndex(of: "-"), let space = line.firstIndex(of: " "), dash < space,
                let start = UInt(line[..<dash], radix: 16), let end = UInt(line[line.index(after: dash)..<space], radix: 16)
            {
                inside = start <= address && address < end
            } else if inside, line.hasPrefix("VmFlags:") {
                return line.dropFirst("VmFlags:".count).split(separator: " ")
            }
        }
        return nil
    }

    #if os(Linux)
        @Test func aThreadsOwnHeapIsAdvised() throws {
            // On a thread of its own: advise, then allocate, and report where the block lies
            // and whether that is the main heap (below the program break).
            final class Report: @unchecked Sendable {  // written by the thread, read after the join
                var address: UInt = 0
                var inMainHeap = true
            }
            let report = Report()
            let thread = try #require(
                Concurrently.start {
                    HugePages.adviseThreadHeap()
                    guard let block = malloc(64) else { return }
                    report.address = UInt(bitPattern: block)
                    report.inMainHeap = report.address < UInt(bitPattern: sbrk(0))
                    free(block)
                })
            thread.join()
            try #require(report.address != 0)
            let flags = try #require(try Self.vmFlags(of: report.address), "no mapping holds the thread's block")
            // glibc gives a new thread an arena of its own (mapped away from the main heap)
            // while it has fewer than eight per core; the test process has far fewer threads.
            #expect(!report.inMainHeap, "the thread allocated from the main heap")
            #expect(flags.contains("hg"), "the thread's heap is not advised for huge pages: \(flags)")
        }
    #endif
}

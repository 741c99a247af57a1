// libFuzzer target: arbitrary bytes as a kernel image. Finding tables must throw ImageError or
// succeed, never trap or hang; when it succeeds, every decoded address is sorted, as the
// finder promises. Compressed payloads are not decompressed here (no processes under the
// fuzzer): the finder runs on the bytes as a raw image and as an ELF file, once whole and
// once as a stream read a few bytes at a time through the smallest window (StreamSearch);
// when both find tables they must be the same; and once more as the first search that stops when
// the tables may be cut by the window (the same promise). Built by Fuzz/build.sh with
// -parse-as-library, so this file has no top-level code.
import ImageReader

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImage(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    var context = SearchContext()
    if ELFFile.isELF(bytes) {
        guard let elf = try? ELFFile(bytes) else { return 0 }
        context = elf.context
    }
    let whole = try? TableFinder.find(in: bytes, context: context)
    if let whole { checkSorted(whole) }
    // The stream: 4099 bytes at a time (not a divisor of the window), a 64 KiB window.
    func streamed(_ search: StreamSearch, _ what: String) {
        var delivered = 0
        let outcome = try? search.run(
            read: { buffer, count in
                let n = min(count, size - delivered)
                if n > 0 { buffer.update(from: data + delivered, count: n) }
                delivered += n
                return n
            }, context: { _ in context })
        guard case .found(let tables, _, _)? = outcome else { return }
        checkSorted(tables)
        if let whole, whole.symbols != tables.symbols {
            fatalError("the \(what) and the whole search decode different symbols")
        }
    }
    streamed(StreamSearch(windowSize: StreamSearch.headerSize, limit: Int.max, readSize: 4099), "stream search")
    // The first search of `KernelImage.read`: it stops when the tables may be cut; what it finds
    // is what the whole search finds.
    streamed(
        StreamSearch(windowSize: StreamSearch.headerSize, limit: Int.max, readSize: 4099, stopsWhenCut: true),
        "first stream search")
    return 0
}

func checkSorted(_ found: FoundTables) {
    for index in found.symbols.indices.dropFirst() where found.symbols[index].address < found.symbols[index - 1].address {
        fatalError("decoded addresses are not sorted at symbol \(index)")
    }
}

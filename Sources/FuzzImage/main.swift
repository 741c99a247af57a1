// libFuzzer target: arbitrary bytes as a kernel image. Finding tables must throw ImageError or
// succeed, never trap or hang; when it succeeds, every decoded address is sorted, as the
// finder promises. Compressed payloads are not decompressed here (no processes under the
// fuzzer): the finder runs on the bytes as a raw image and as an ELF file. Built by
// Fuzz/build.sh with -parse-as-library, so this file has no top-level code.
import ImageReader

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImage(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    var context = SearchContext()
    if ELFFile.isELF(bytes) {
        guard let elf = try? ELFFile(bytes) else { return 0 }
        context = elf.context
    }
    guard let found = try? TableFinder.find(in: bytes, context: context) else { return 0 }
    for index in found.symbols.indices.dropFirst() where found.symbols[index].address < found.symbols[index - 1].address {
        fatalError("decoded addresses are not sorted at symbol \(index)")
    }
    return 0
}

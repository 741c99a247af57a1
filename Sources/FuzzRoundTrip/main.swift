// libFuzzer target: arbitrary bytes as an nm map (first byte: era and flags) through parse,
// select, both compression engines and the decoder. Built by Fuzz/build.sh with
// -parse-as-library, so this file has no top-level code: libFuzzer supplies main.
import FuzzLaws

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRoundTrip(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if case .violated(let reason) = FuzzChecks.roundTrip(Array(UnsafeBufferPointer(start: data, count: size))) {
        fatalError(reason)
    }
    return 0
}

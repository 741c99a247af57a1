// libFuzzer target: arbitrary bytes as kallsyms tables (and as a .S file): decoding must
// throw or succeed, never trap. Built by Fuzz/build.sh with -parse-as-library, so this file
// has no top-level code: libFuzzer supplies main.
import FuzzLaws

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecode(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if case .violated(let reason) = FuzzChecks.decode(Array(UnsafeBufferPointer(start: data, count: size))) {
        fatalError(reason)
    }
    return 0
}

import FuzzLaws
import Harness

// libFuzzer target: the fuzzer's bytes choose a generated ARM layout's decisions and the era
// (Harness.PassConvergenceInput); the era's multi-pass build runs on it. A build that ends in
// "Inconsistent kallsyms data" is a finding: its case file (the format `kallsyms-lab replay`
// reads) is written to $KALLSYMS_LAB_FINDINGS (default: the current folder) and printed on
// stderr, and the run stops as a crash so that libFuzzer (or ClusterFuzzLite) keeps the input.
// Built by Fuzz/build.sh with -parse-as-library, so this file has no top-level code.
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPassConvergence(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard case .finding(let file) = FuzzChecks.passConvergence(bytes) else { return 0 }
    let folder = getenv("KALLSYMS_LAB_FINDINGS").map { String(cString: $0) } ?? "."
    let path = folder + "/" + FuzzChecks.passConvergenceFileName(file, input: bytes)
    let text = file.description
    // A temporary file and a rename: a stopped run never leaves half a case file.
    let temporary = path + ".tmp"
    var written = false
    if let handle = fopen(temporary, "w") {
        let utf8 = Array(text.utf8)
        written = fwrite(utf8, 1, utf8.count, handle) == utf8.count
        written = fclose(handle) == 0 && written
        written = written && rename(temporary, path) == 0
        if !written { unlink(temporary) }
    }
    let printed = Array(text.utf8)
    _ = printed.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    fatalError(
        "FuzzPassConvergence: \(file.era) build does not converge: \(file.reason)\n"
            + (written ? "case file: \(path)\nreplay: kallsyms-lab replay \(path)" : "could not write \(path)"))
}

import Foundation
import KallsymsLabCommand
import TestSupport

/// Runs `kallsyms-lab ARGUMENTS` in-process with buffered streams.
func runTool(_ arguments: [String], stdin: [UInt8] = []) -> (status: Int32, output: [UInt8], errors: String) {
    let (io, captured) = CommandIO.buffers(stdin: stdin)
    let status = KallsymsLab.run(arguments, io: io)
    return (status, captured.output, captured.errorText)
}

/// A fresh temporary folder, removed by the caller with `removeTemporaryFolder`.
func temporaryFolder() -> String {
    let path = NSTemporaryDirectory() + "kallsyms-lab-tests-" + UUID().uuidString
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func removeTemporaryFolder(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

func write(_ bytes: [UInt8], to path: String) { _ = FileManager.default.createFile(atPath: path, contents: Data(bytes)) }

func contents(of path: String) -> [UInt8]? { FileManager.default.contents(atPath: path).map { [UInt8]($0) } }

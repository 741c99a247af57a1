import Compressor
import Foundation
import LinkModel
import RealLink
import TestSupport
import Testing

/// Calls out of branch range, linked for real (docs/linkers.md, "Branch stubs"): each
/// `d-branch-stubs-*.{gnu,lld}.map` is the map the real linker wrote for the layout (no kallsyms
/// object). The model must print it, and the linker (when installed) must still.
/// `KALLSYMS_LAB_RECORD_SNAPSHOTS=1` writes the maps again from the real linkers.
@Suite("reallink examples: branch stubs")
struct BranchStubExampleTests {
    static let names = ["d-branch-stubs-arm", "d-branch-stubs-arm64", "d-branch-stubs-arm64-long"]
    static let cases = names.flatMap { name in Toolchain.Kind.allCases.map { (name, $0) } }

    static func layout(_ name: String) throws -> Layout {
        try Layout(parsing: Corpus.bytes("reallink/\(name).layout"))
    }

    @Test("the model prints the real linker's map, stubs included", arguments: cases)
    func modelEqualsSavedMap(name: String, kind: Toolchain.Kind) throws {
        let layout = try Self.layout(name)
        let map = layout.link(object: nil, conventions: .init(letters: .modern, linker: kind.flavour))
        let expected = Corpus.text("reallink/\(name).\(kind).map")
        #expect(String(decoding: map.text(addressWidth: layout.target.pointerSize * 2), as: UTF8.self) == expected)
        // The examples are about stubs: eleven calls out of range, or five in the arm64 one,
        // whose other six calls are just in range.
        let stubs = expected.split(separator: "\n").filter { $0.contains("_veneer") || $0.contains("Thunk_") }.count
        #expect(stubs == (name == "d-branch-stubs-arm64" ? 5 : 11))
    }

    @Test("LLD still prints the saved map", arguments: names)
    func lldEqualsSavedMap(name: String) throws {
        try Self.realLinkEqualsSavedMap(name: name, kind: .lld)
    }

    @Test("GNU ld still prints the saved map", .enabled(if: RealToolchains.hasGnu, RealToolchains.gnuMissing), arguments: names)
    func gnuEqualsSavedMap(name: String) throws {
        try Self.realLinkEqualsSavedMap(name: name, kind: .gnu)
    }

    static func realLinkEqualsSavedMap(name: String, kind: Toolchain.Kind) throws {
        let text = try RealToolchains.mapWithoutTables(of: try Self.layout(name), kind: kind)
        let path = Corpus.path("reallink/\(name).\(kind).map")
        if ProcessInfo.processInfo.environment["KALLSYMS_LAB_RECORD_SNAPSHOTS"] == "1" {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        #expect(text == Corpus.text("reallink/\(name).\(kind).map"), "\(kind)")
    }
}

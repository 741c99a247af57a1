import Compressor
import Foundation
import LinkModel
import RealLink
import TestSupport
import Testing

/// The three minimal layouts on which the model once disagreed with GNU ld 2.40
/// (docs/linkers.md, "Fixed disagreements"). Each `*.gnu.map` is the map GNU ld wrote, kept as
/// the expected result: the model must print it, and GNU ld (when installed) must still.
@Suite("reallink examples: the model's three fixed errors")
struct ReallinkExampleTests {
    static let names = ["a-local-in-removed-section", "b-removed-section-alignment", "c-equal-name-order"]

    static func layout(_ name: String) throws -> Layout {
        try Layout(parsing: Corpus.bytes("reallink/\(name).layout"))
    }

    static func expected(_ name: String, _ linker: String) throws -> String {
        Corpus.text("reallink/\(name).\(linker).map")
    }

    @Test("the model prints GNU ld's map", arguments: names)
    func modelEqualsGnu(name: String) throws {
        let map = try Self.layout(name).link(object: nil, conventions: .init(letters: .modern, linker: .gnu))
        #expect(String(decoding: map.text(), as: UTF8.self) == (try Self.expected(name, "gnu")))
    }

    @Test("the model with LLD's rules prints LLD's map", arguments: names)
    func modelEqualsLld(name: String) throws {
        let map = try Self.layout(name).link(object: nil, conventions: .init(letters: .modern, linker: .lld))
        #expect(String(decoding: map.text(), as: UTF8.self) == (try Self.expected(name, "lld")))
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
        #expect(text == (try Self.expected(name, kind.rawValue)), "\(kind)")
    }
}

/// Which real toolchains this machine has. LLD ships with the Swift toolchain, so its tests
/// always run; GNU's cross binutils are a Debian package that `.ci/run` installs, and their
/// tests say they did not run when it is missing.
enum RealToolchains {
    static let hasGnu =
        (try? Toolchain(.gnu, target: .arm32)) != nil
        && (try? Toolchain(.gnu, target: .arm64)) != nil
    static let gnuMissing: Comment = "GNU cross binutils not installed (apt-get install -y binutils-arm-linux-gnueabihf binutils-aarch64-linux-gnu)"

    /// The `nm -n` map the real `kind` linker prints for `layout` linked without a kallsyms
    /// object, addresses as wide as the target's pointers.
    static func mapWithoutTables(of layout: Layout, kind: Toolchain.Kind) throws -> String {
        let toolchain = try Toolchain(kind, target: layout.target)
        var linker = try RealLinker(plan: LinkPlan(layout), toolchain: toolchain, options: BuildOptions(era: .v7_0))
        let map = try linker.link(nil, weakReferences: [])
        return String(decoding: map.text(addressWidth: layout.target.pointerSize * 2), as: UTF8.self)
    }
}

@Suite("real toolchains: finding the tools")
struct ToolchainTests {
    @Test("a missing tool is one line naming it and the package that provides it")
    func missingToolNamesItsPackage() {
        let nowhere = ["PATH": "/nonexistent"]
        #expect(throws: Toolchain.Failure.self) { try Toolchain(.gnu, target: .arm32, environment: nowhere) }
        do {
            _ = try Toolchain(.gnu, target: .arm64, environment: nowhere)
            Issue.record("GNU binutils found with an empty PATH")
        } catch {
            #expect(
                "\(error)" == "aarch64-linux-gnu-as not found on PATH (Debian package binutils-aarch64-linux-gnu: "
                    + "apt-get install -y binutils-aarch64-linux-gnu)")
        }
        do {
            _ = try Toolchain(.lld, target: .arm32, environment: nowhere)
            Issue.record("LLD found with an empty PATH")
        } catch {
            #expect("\(error)".hasPrefix("ld.lld not found on PATH"))
            #expect(!"\(error)".contains("\n"))
        }
    }

    @Test("a layout name the assembler cannot take is refused before any tool runs")
    func unassemblableNameIsRefused() throws {
        let layout = try Layout(parsing: "section .text text align 4 size 4\n  start _text\n  global 0x0 .Lhidden\n")
        #expect(throws: LinkerInput.Problem.self) { try LinkerInput(LinkPlan(layout)) }
    }
}

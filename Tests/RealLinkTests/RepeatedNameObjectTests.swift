import Compressor
import Foundation
import LinkModel
import Testing

@testable import RealLink

/// A name the layout defines more than once: its later copies go to symbol-only objects that
/// are written directly as ELF, not assembled (docs/linkers.md, "From a layout to a link").
@Suite("repeated names: symbol-only objects")
struct RepeatedNameObjectTests {
    /// `twice` in code, data and bss, `thrice` three times, a weak symbol; the kernel's repeated
    /// names are local (a global or weak name defined twice is outside the model: docs/linkers.md).
    static let layoutText = """
        layout repeats
        target TARGET
        base 0xc0000000
        section .text text align 32 size 0x100
          start _text
          global 0x10 f1
          local 0x20 twice
          local 0x24 thrice
          weak 0x30 soft
        section .data data align 32 size 0x100
          local 0x40 twice
          local 0x44 thrice
        section .bss bss align 32 size 0x80
          local 0x8 twice
          local 0x60 thrice
        section .rodata rodata align 32 size 0x20
          local 0x4 twice

        """

    /// A thread-local section, which the model does not place (the kernel has none).
    static let threadLocalText = """
        section .tdata data align 32 size 0x40 flags alloc,load,tls
          local 0x8 twice
          local 0x10 only_tls

        """

    static func layout(_ target: String, threadLocal: Bool = false) throws -> Layout {
        let text = layoutText.replacingOccurrences(of: "TARGET", with: target) + (threadLocal ? threadLocalText : "")
        return try Layout(parsing: Array(text.utf8))
    }

    @Test("the k-th copy of every name goes to object k, at its offset in an empty section of its own")
    func copiesGoToObjects() throws {
        let input = try LinkerInput(LinkPlan(Self.layout("arm", threadLocal: true)))
        try #require(input.repeats.count == 4)  // `twice` has five copies
        func listed(_ object: SymbolObject) -> [String] {
            object.symbols.map { "\(String(decoding: $0.name, as: UTF8.self))@\(object.sections[$0.section].name)+\($0.offset)" }
        }
        #expect(input.repeats.map { $0.sections.map(\.name).last } == Array(repeating: ".ks.anchor", count: 4))
        #expect(
            input.repeats.map(listed) == [
                ["twice@.ks.1.d0+64", "thrice@.ks.1.d0+68"], ["twice@.ks.2.d0+8", "thrice@.ks.2.d0+96"], ["twice@.ks.3.d0+4"],
                ["twice@.ks.4.d0+8"],
            ])
        #expect(input.repeats[3].sections[0].flags.contains(.threadLocal))
        #expect(input.repeats.allSatisfy { $0.symbols.allSatisfy { $0.binding == .local } })
        #expect(!input.assembly.contains(".set"))
    }

    @Test("each real linker maps the repeated names as the model does", arguments: ["arm", "arm64"], [Toolchain.Kind.lld, .gnu])
    func realLinkEqualsModel(target: String, kind: Toolchain.Kind) throws {
        guard kind == .lld || RealToolchains.hasGnu else { return }
        let layout = try Self.layout(target)
        let real = try RealToolchains.mapWithoutTables(of: layout, kind: kind)
        let model = layout.link(object: nil, conventions: .init(letters: .modern, linker: kind.flavour))
        #expect(real == String(decoding: model.text(addressWidth: layout.target.pointerSize * 2), as: UTF8.self))
        let lines = real.split(separator: "\n")
        #expect(lines.filter { $0.hasSuffix(" twice") }.count == 4)
        #expect(lines.filter { $0.hasSuffix(" thrice") }.count == 3)
        // A copy in a thread-local section is a thread-local symbol: at its offset in the
        // TLS block, as the first copy in the same section is.
        let threadLocal = try RealToolchains.mapWithoutTables(of: Self.layout(target, threadLocal: true), kind: kind)
        let width = layout.target.pointerSize * 2
        let offset8 = String(repeating: "0", count: width - 1) + "8"
        #expect(threadLocal.contains("\(offset8) d twice\n"))
    }

    @Test("an object that is not ELF, or an offset a 32-bit object cannot hold, is one line")
    func refusals() throws {
        let object = SymbolObject(
            sections: [.init(name: ".ks.1.d0", flags: [.alloc, .load])],
            symbols: [.init(name: Array("far".utf8), binding: .local, section: 0, offset: 0x1_0000_0000)])
        #expect(throws: Toolchain.Failure.self) { try object.elf(like: Array("not an object".utf8)) }
        var arm = [UInt8](repeating: 0, count: 52)
        arm[0...5] = [0x7F, 0x45, 0x4C, 0x46, 1, 1]
        do {
            _ = try object.elf(like: arm)
            Issue.record("a 33-bit offset was written into a 32-bit object")
        } catch {
            #expect("\(error)" == "symbol far at offset 0x100000000 does not fit a 32-bit object")
        }
        var arm64 = [UInt8](repeating: 0, count: 64)
        arm64[0...5] = [0x7F, 0x45, 0x4C, 0x46, 2, 1]
        arm64[18] = 183
        let bytes = try object.elf(like: arm64)
        #expect(bytes[4] == 2 && bytes[18] == 183 && bytes[16] == 1)  // ELF64, AArch64, relocatable
    }
}

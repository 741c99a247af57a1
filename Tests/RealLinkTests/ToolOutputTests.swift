import Compressor
import LinkModel
import Testing

@testable import RealLink

/// What the real link reads back from the tools and hands them, without running them: the
/// `nm -f sysv` listing and the kallsyms `.S` made assemblable without the kernel's headers.
@Suite struct ToolOutputTests {
    static let listing = """


        Symbols from image1:

        Name                  Value   Class        Type         Size     Line  Section

        _text               |00008000|   T  |            NOTYPE|        |     |.head.text
        start_kernel        |0000a01c|   T  |              FUNC|00000040|     |.text
        early_param         |00c0ffee|   r  |            OBJECT|00000008|     |.rodata
        weak_hook           |        |   w  |            NOTYPE|        |     |*UND*
        another_weak        |        |   w  |            NOTYPE|        |     |*UND*
        __bss_start         |FFFFFFFF00000000|   B  |            NOTYPE|        |     |.bss

        """

    @Test func listingGivesAddressesLettersNamesAndSortedWeakReferences() throws {
        let map = try NmListing.map(Array(Self.listing.utf8), letters: .modern)
        #expect(map.symbols.map { String(decoding: $0.name, as: UTF8.self) } == ["_text", "start_kernel", "early_param", "__bss_start"])
        #expect(map.symbols.map(\.address) == [0x8000, 0xa01c, 0xc0_ffee, 0xFFFF_FFFF_0000_0000])
        #expect(map.symbols.map { Character(UnicodeScalar($0.type)) } == ["T", "T", "r", "B"])
        #expect(map.undefinedWeak.map { String(decoding: $0, as: UTF8.self) } == ["another_weak", "weak_hook"])
    }

    @Test func listingWith2012LettersRederivesThemFromTheSectionName() throws {
        let map = try NmListing.map(Array(Self.listing.utf8), letters: .binutils2012)
        // `.head.text` matches no prefix of 2012's table and keeps the real letter; `.rodata`
        // gives `r`, `.bss` `b` (upper case kept for global symbols).
        #expect(map.symbols.map { Character(UnicodeScalar($0.type)) } == ["T", "T", "r", "B"])
        let data = "x |00000010|   T  |  FUNC|  |  |.data.once\n"
        #expect(try NmListing.map(Array(data.utf8), letters: .binutils2012).symbols.first?.type == UInt8(ascii: "D"))
    }

    @Test(arguments: [
        ("a |0000zz00|   T  |  FUNC|  |  |.text\n", "nm line 1: unexpected value 0000zz00"),
        ("ok |00000001|   T  |  FUNC|  |  |.text\na |00000002|   TT  |  FUNC|  |  |.text\n", "nm line 2: unexpected class TT"),
        ("a |10000000000000000|   T  |  FUNC|  |  |.text\n", "nm line 1: unexpected value 10000000000000000"),
    ])
    func badListingLinesAreNamed(text: String, message: String) {
        let error = #expect(throws: Toolchain.Failure.self) { try NmListing.map(Array(text.utf8), letters: .modern) }
        #expect(error?.description == message)
    }

    static let assembly = """
        #include <asm/bitsperlong.h>
        #if BITS_PER_LONG == 64
        #define PTR .quad
        #define ALGN .balign 8
        #else
        #define PTR .long
        #define ALGN .balign 4
        #endif
        \t.section .rodata, "a"
        .globl kallsyms_addresses
        \tALGN
        kallsyms_addresses:
        \tPTR\t_text + 0x10

        """

    @Test func assemblyGetsTheTargetsWordSizeAsCppGivesIt() {
        let arm = String(decoding: RealLinker.preprocessed(Array(Self.assembly.utf8), target: .arm32), as: UTF8.self)
        #expect(
            arm == """
                \t.section .rodata, "a"
                .globl kallsyms_addresses
                \t.balign 4
                kallsyms_addresses:
                \t.long\t_text + 0x10

                """)
        let arm64 = String(decoding: RealLinker.preprocessed(Array(Self.assembly.utf8), target: .arm64), as: UTF8.self)
        #expect(arm64.contains("\t.balign 8\nkallsyms_addresses:\n\t.quad\t_text + 0x10\n"))
        #expect(!arm64.contains("#") && !arm64.contains(".long") && !arm64.contains("PTR") && !arm64.contains("ALGN"))
        // Without the header (older eras), the text is assembled as it is.
        let plain = Array("\t.section .rodata\n#not a directive\n".utf8)
        #expect(RealLinker.preprocessed(plain, target: .arm32) == plain)
    }
}

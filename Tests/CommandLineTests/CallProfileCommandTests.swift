import Compressor
import Foundation
import KallsymsLabCommand
import TestSupport
import Testing

/// `profile --calls IMAGE` and the campaigns' `--call-profile FILE` and `--text-size`.
@Suite struct CallProfileCommandTests {
    typealias Support = GeneratorCommandTests

    /// A raw ARM image: `.text` of 128 functions 0x100 apart from `_stext` (0xc0100000, 1 MiB
    /// above the image's first byte), `.init.text` with 24 `bl`s to functions 0…11 (each twice),
    /// and its `System.map`.
    static func armKernel() -> (image: [UInt8], map: String) {
        let base: UInt64 = 0xc000_0000, stext: UInt64 = 0xc010_0000
        let etext = stext + 128 * 0x100, sinit = etext + 0x1000
        var map = "c0000000 T _text\nc0100000 T _stext\n"
        for k in 0..<128 { map += String(stext + UInt64(k) * 0x100, radix: 16) + " T fn\(k)\n" }
        map += String(etext, radix: 16) + " D _etext\n" + String(sinit, radix: 16) + " T _sinittext\n"
        map += String(sinit + 4 * 24, radix: 16) + " T _einittext\n"
        var image = [UInt8](repeating: 0, count: Int(sinit + 4 * 24 - base))
        for k in 0..<24 {
            let pc = sinit + UInt64(4 * k), target = stext + UInt64(k % 12) * 0x100
            let word = 0xEB00_0000 | UInt32(truncatingIfNeeded: (Int64(target) - Int64(pc) - 8) / 4) & 0x00FF_FFFF
            for byte in 0..<4 { image[Int(pc - base) + byte] = UInt8(truncatingIfNeeded: word >> (8 * UInt32(byte))) }
        }
        return (image, map)
    }

    @Test("profile --calls learns from a raw image and from a compressed one; fuzz draws its calls from it")
    func learnsAndUses() throws {
        let kernel = Self.armKernel()
        let image = Support.temporaryPath("Image"), map = Support.temporaryPath("System.map")
        let packed = Support.temporaryPath("zImage"), profile = Support.temporaryPath("calls.profile")
        defer { for path in [image, map, packed, profile] { unlink(path) } }
        try Data(kernel.image).write(to: URL(fileURLWithPath: image))
        try kernel.map.write(toFile: map, atomically: true, encoding: .utf8)
        let learned = Support.run(["profile", "--calls", "--map", map, "--output", profile, image])
        #expect(learned.status == 0, "\(learned.errors)")
        let text = try String(contentsOfFile: profile, encoding: .utf8)
        // Functions 0…11 of 128, .text measured up to the last one: slices 0, 1 and 2 (k · 32 / 127).
        #expect(text.contains("instructions arm\ncallees 12 of 128\nslices 4 4 4 0 0 "))

        // A "zImage": a header, then the image gzipped (gzip is in every CI image).
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/sh")
        gzip.arguments = ["-c", "{ head -c 4096 /dev/zero; gzip -c \"$1\"; } > \"$2\"", "sh", image, packed]
        try gzip.run()
        gzip.waitUntilExit()
        #expect(gzip.terminationStatus == 0)
        let unpacked = Support.run(["profile", "--calls", "--map", map, packed])
        #expect(unpacked.status == 0, "\(unpacked.errors)")
        #expect(unpacked.output.split(separator: "\n").dropFirst() == text.split(separator: "\n").dropFirst())

        // fuzz draws from it: 12/128 of the 3 000-symbol layout's .text symbols are called.
        let printed = Support.run([
            "fuzz", "--era", "v6.1", "--symbols", "3000", "--seed", "3", "--arch", "arm", "--text-size", "30",
            "--call-profile", profile, "--print-layout", "0",
        ])
        #expect(printed.status == 0, "\(printed.errors)")
        // The layout's text form: "section .text … size 0x…", then "  global|local|weak OFFSET NAME" lines.
        let lines = printed.output.split(separator: "\n")
        let start = try #require(lines.firstIndex { $0.hasPrefix("section .text ") })
        #expect(lines[start].hasSuffix("size 0x\(String(30 << 20, radix: 16))"))
        let members = lines[(start + 1)...].prefix { $0.hasPrefix("  ") }.map { $0.split(separator: " ") }
        let symbols = members.count { ["global", "local", "weak"].contains($0[0]) }
        // Callable: a global or weak name defined once in the layout; the profile weighs slices 0-2 only.
        var definitions: [Substring: Int] = [:]
        for line in lines.map({ $0.split(separator: " ") }) where line.count >= 2 {
            switch line[0] {
            case "global", "local", "weak": definitions[line[2], default: 0] += 1
            case "start", "end", "absolute": definitions[line[1], default: 0] += 1
            default: break
            }
        }
        var inSlices: [Substring: Bool] = [:]
        for member in members where member[0] == "global" || member[0] == "weak" {
            inSlices[member[2]] = Double(UInt64(member[1].dropFirst(2), radix: 16)!) / Double(30 << 20) * 32 < 3
        }
        let candidates = inSlices.count { $0.value && definitions[$0.key] == 1 }
        let targets = lines.filter { $0.hasPrefix("  call ") }.map { $0.split(separator: " ")[2] }
        #expect(targets.count == min(Int((Double(symbols) * 12 / 128).rounded()), candidates))
        #expect(Set(targets).count == targets.count)
        #expect(targets.allSatisfy { inSlices[$0] == true })
        #expect(targets.count > 20)
    }

    @Test("profile --calls reads an ELF vmlinux linked by LLD: addresses from its program headers")
    func elfVmlinux() throws {
        let directory = Support.temporaryPath("elf")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var source = [".syntax unified", ".arm", ".section .text,\"ax\"", ".globl _stext", "_stext:"]
        for k in 0..<64 { source += [".globl fn\(k)", ".type fn\(k),%function", "fn\(k):", "bx lr", ".space 252"] }
        source += [".globl _etext", "_etext:", ".section .init.text,\"ax\"", ".globl _sinittext", "_sinittext:"]
        for k in 0..<40 { source.append("bl fn\(k % 20)") }
        source += [".globl _einittext", "_einittext:", ""]
        try source.joined(separator: "\n").write(toFile: directory + "/k.s", atomically: true, encoding: .utf8)
        let script = """
            set -e; cd "$1"
            clang --target=armv7a-linux-gnueabihf -c k.s -o k.o
            ld.lld -Ttext=0xc0008000 -e 0 k.o -o vmlinux
            llvm-nm -n vmlinux > System.map
            """
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", script, "sh", directory]
        try shell.run()
        shell.waitUntilExit()
        try #require(shell.terminationStatus == 0, "clang, ld.lld and llvm-nm (the Swift toolchain's) are needed")
        let learned = Support.run(["profile", "--calls", "--map", directory + "/System.map", directory + "/vmlinux"])
        #expect(learned.status == 0, "\(learned.errors)")
        #expect(learned.output.contains("instructions arm\ncallees 20 of 64\nslices 2 2 2 2 2 2 2 2 2 2 0 "))
        let contradicted = Support.run(["profile", "--calls", "--map", directory + "/System.map", "--instructions", "arm64", directory + "/vmlinux"])
        #expect(contradicted.status == 2)
        #expect(contradicted.errors.hasPrefix("kallsyms-lab profile: --instructions arm64 contradicts"))
        let noTables = Support.run(["profile", "--calls", directory + "/vmlinux"])
        #expect(noTables.status == 1)
        #expect(noTables.errors.hasSuffix("give the image's System.map with --map\n"))
    }

    @Test(
        "bad input to profile --calls, --call-profile and --text-size: one line naming it, a non-zero status",
        arguments: [
            (["profile", "--calls", "/nonexistent/vmlinux"], "kallsyms-lab profile: /nonexistent/vmlinux: "),
            (["profile", "--map", "x", "y"], "kallsyms-lab profile: --map goes with --calls"),
            (["profile", "--calls", "--instructions", "thumb", "x"], "kallsyms-lab profile: "),
            (["fuzz", "--arch", "arm", "--text-size", "0-4", "--cases", "1"], "kallsyms-lab fuzz: --text-size takes MIN-MAX"),
            (["fuzz", "--arch", "arm", "--text-size", "512", "--cases", "1"], "kallsyms-lab fuzz: --text-size takes MIN-MAX"),
            (["fuzz", "--text-size", "30", "--cases", "1"], "kallsyms-lab fuzz: --text-size goes with --arch"),
            (["mitigations", "--arch", "arm", "--call-profile", "/nonexistent/p", "--cases", "1"], "kallsyms-lab mitigations: /nonexistent/p: "),
        ])
    func badInput(arguments: [String], prefix: String) {
        let result = Support.run(arguments)
        #expect(result.status != 0)
        #expect(result.errors.hasPrefix(prefix), "\(result.errors)")
        #expect(result.output.isEmpty)
    }

    @Test("a random file is no kernel: profile --calls says why, in one line")
    func garbage() throws {
        let path = Support.temporaryPath("garbage")
        defer { unlink(path) }
        var rng = SystemRandomNumberGenerator()
        try Data((0..<65536).map { _ in UInt8.random(in: 0...255, using: &rng) }).write(to: URL(fileURLWithPath: path))
        let map = Support.temporaryPath("map")
        defer { unlink(map) }
        try Self.armKernel().map.write(toFile: map, atomically: true, encoding: .utf8)
        let result = Support.run(["profile", "--calls", "--map", map, path])
        #expect(result.status == 1)
        #expect(result.errors.hasPrefix("kallsyms-lab profile: \(path): "))
        #expect(result.errors.split(separator: "\n").count == 1)
    }
}

import Compressor
import ImageReader

/// `decode --elf OUT`: placeholder until the ELF writer lands.
enum SymbolELF {
    static func file(for report: ImageReport) throws -> [UInt8] {
        throw CommandError("--elf is not implemented yet")
    }
}

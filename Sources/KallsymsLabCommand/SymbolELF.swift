import Compressor
import ImageReader

/// `decode --elf OUT`: the recovered symbols as an ELF file.
enum SymbolELF {
    static func file(for report: ImageReport) throws -> [UInt8] {
        let tables = report.tables
        let wordSize = tables.symbols.contains { $0.address > 0xFFFF_FFFF } ? 8 : tables.wordSize
        return SymbolELFWriter.file(
            symbols: tables.symbols, wordSize: wordSize, byteOrder: tables.byteOrder,
            machine: report.machine ?? 0)
    }
}

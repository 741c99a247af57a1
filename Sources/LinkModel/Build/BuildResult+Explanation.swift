import Compressor

extension BuildResult {
    /// Why a build failed, as data: the pass whose tables differ from the previous pass's,
    /// what changed in the strings kallsyms read, and what that did to the tables and to vmlinux.
    public struct Explanation: Sendable {
        /// The pass whose object vmlinux holds, and the pass before it (the object of the last
        /// temporary image).
        public var previousPass: Int
        public var lastPass: Int
        /// What changed between the symbols kallsyms kept in the two passes (letters and the set
        /// of symbols change the compressed strings; order and addresses change no size).
        public var inputChanges: MapChanges
        /// Tables whose size changed: name, size in `previousPass`, size in `lastPass`.
        public var tableChanges: [(name: String, old: Int, new: Int)]
        /// The object sizes of the two passes.
        public var oldObjectSize: Int
        public var newObjectSize: Int
        /// What moved between the last temporary image and vmlinux.
        public var finalChanges: MapChanges
    }

    /// The explanation of an inconsistent build; nil otherwise.
    public func explanation() -> Explanation? {
        guard isInconsistent, let vmlinux else { return nil }
        let linked = linkedPasses
        guard linked.count >= 2 else { return nil }
        let previous = linked[linked.count - 2], last = linked[linked.count - 1]
        var tables: [(String, Int, Int)] = []
        for entry in last.output.tables.entries {
            let old = previous.output.tables.size(of: entry.name) ?? 0
            if old != entry.size { tables.append((entry.name, old, entry.size)) }
        }
        return Explanation(
            previousPass: previous.number, lastPass: last.number,
            inputChanges: MapChanges(
                from: Self.records(previous.output.kept),
                to: Self.records(last.output.kept)), tableChanges: tables,
            oldObjectSize: previous.output.object.size, newObjectSize: last.output.object.size,
            finalChanges: MapChanges(from: last.map.symbols, to: vmlinux.symbols))
    }

    private static func records(_ kept: [KeptSymbol]) -> [SymbolRecord] {
        kept.map { SymbolRecord(address: $0.address, type: $0.type, name: $0.name) }
    }
}

import Compressor

/// The multi-pass build of vmlinux in one era, modelled on a `Layout` (docs/behaviour.md §8).
///
/// Pass k links the layout with pass k−1's kallsyms object (pass 1 of v3.3–v6.1 with none;
/// every pass of v6.19+ with at least pass 0's empty-table object), runs the era's generator
/// on what that era feeds it (raw `nm -n`, or the mksysmap-filtered `.syms`) and yields the
/// next object. Then vmlinux is linked with the last object and the era's check compares
/// mksysmap(vmlinux) with mksysmap(last temporary image).
///
/// `run` never traps on input: what the era's generator refuses ends the build with
/// `.generatorFailed`.
public struct Build: Sendable {
    /// The layout to build.
    public var layout: Layout
    /// Era, flags, mitigations.
    public var options: BuildOptions

    /// A build of `layout` with `options`.
    public init(layout: Layout, options: BuildOptions) {
        self.layout = layout
        self.options = options
    }

    /// Runs the build.
    public func run() -> BuildResult {
        run(plan: LinkPlan(layout))
    }

    /// Runs the build on an already prepared plan (campaigns prepare a layout once); the
    /// plan's layout is built, `layout` is not read.
    public func run(plan: LinkPlan) -> BuildResult {
        var cache = CompressionCache()
        return run(plan: plan, cache: &cache)
    }

    /// Runs the build with a compression cache shared with other builds: a compression it
    /// holds is not recomputed, and the build's own compressions join it.
    public func run(plan: LinkPlan, cache: inout CompressionCache) -> BuildResult {
        var linker = ModelLinker(plan: plan, conventions: options.linkConventions)
        return run(target: plan.layout.target, cache: &cache, linker: &linker)
    }

    /// Runs the build with `linker` linking every image (a real toolchain, or the model);
    /// `target` is the layout's. Throws what the linker throws (never, for the model).
    public func run<Linker: ImageLinker>(
        target: TargetABI, cache: inout CompressionCache,
        linker: inout Linker
    ) throws(Linker.Failure) -> BuildResult {
        let rules = options.build
        var step = KallsymsStep(options: options, target: target, cache: cache)
        defer { cache = step.cache }
        var passes: [BuildPass] = []
        var object: KallsymsOutput?

        func fail(_ pass: Int, _ error: Error) -> BuildResult {
            // `KallsymsStep` runs the era's generator, whose only errors are `KallsymsError`s.
            guard let kallsymsError = error as? KallsymsError else { preconditionFailure("the generator threw \(error)") }
            return BuildResult(
                options: options, passes: passes, vmlinux: nil,
                outcome: .generatorFailed(pass: pass, error: kallsymsError), cycle: nil)
        }

        if rules.startsWithEmptyTables {
            do {
                let output = try step.run([], freezesTokens: false)
                passes.append(
                    BuildPass(
                        number: 0, image: nil, linkedWithPass: nil, map: LinkedMap(symbols: []),
                        input: [], output: output))
                object = output
            } catch {
                return fail(0, error)
            }
        }

        // Which pass's object an image holds: the last one made before it.
        var linkedWith: Int? = passes.last?.number
        // The object the last pass's image was linked with (for vmlinux, below).
        var lastLinked: KallsymsObject?
        var number = 1
        var cycle: BuildResult.Cycle?
        while true {
            lastLinked = object?.object
            var map = try linker.link(object, weakReferences: rules.weakTableNames)
            let input = Self.kallsymsInput(
                &map, rules: rules, era: options.era, ignoring: options.ignoredPrefixes,
                filtering: { step.cache.filter($0, with: rules.systemMapFilter) })
            do {
                let output = try step.run(input, freezesTokens: number == 1)
                passes.append(
                    BuildPass(
                        number: number, image: rules.imageName(pass: number), linkedWithPass: linkedWith,
                        map: map, input: input, output: output))
                object = output
            } catch {
                return fail(number, error)
            }
            linkedWith = number
            if !needsAnotherPass(after: number, passes: passes, rules: rules, cycle: &cycle) { break }
            number += 1
        }

        let last = passes[passes.count - 1]
        // A build that converged links vmlinux with the object its last image holds: the
        // model's map is then that image's map (the records, line numbers and all, of the last
        // pass), not linked and compared again.
        let sameObject = linker.mapsDependOnObjectOnly && object?.object == lastLinked
        let vmlinux = sameObject ? last.map : try linker.link(object, weakReferences: rules.weakTableNames)
        // mksysmap drops lines by their own content, so maps with the same lines filter to the
        // same lines: only differing maps are filtered and compared (most builds converge).
        let mismatch =
            sameObject || Self.sameLines(vmlinux.symbols, last.map.symbols)
            ? nil
            : Self.compare(
                step.cache.filter(vmlinux.symbols, with: rules.systemMapFilter),
                with: step.cache.filter(last.map.symbols, with: rules.systemMapFilter),
                reference: rules.referenceName(lastPass: last.number))
        let realPasses = passes.filter { $0.number > 0 }.count
        return BuildResult(
            options: options, passes: passes, vmlinux: vmlinux,
            outcome: mismatch.map { .inconsistent($0) } ?? .consistent(passes: realPasses), cycle: cycle)
    }

    /// The era's pass count, or the fixed-point loop of the `fixed-point=K` mitigation.
    private func needsAnotherPass(
        after number: Int, passes: [BuildPass], rules: EraBuild,
        cycle: inout BuildResult.Cycle?
    ) -> Bool {
        let objects = passes.filter { $0.number > 0 }.map(\.output.object)
        if let limit = options.fixedPointLimit {
            guard number >= 2 else { return true }
            let current = objects[objects.count - 1]
            if current == objects[objects.count - 2] { return false }
            if let earlier = objects.dropLast(2).lastIndex(of: current) {
                cycle = BuildResult.Cycle(firstPass: earlier + 1, period: objects.count - 1 - earlier)
                return false
            }
            return number < limit
        }
        switch number {
        case 1:
            return true
        case 2:
            if rules.asksForExtraPass(options.effectiveExtraPass) { return true }
            return rules.repeatsWhenObjectSizeChanges && objects[0].size != objects[1].size
        default:
            return false
        }
    }

    /// What kallsyms reads from a temporary image's map, with the input line numbers set.
    /// `ignoring`: `ignore=PREFIX`'s prefixes, which join `scripts/kallsyms`' own ignore list
    /// where the era keeps one (v3.3–v6.1; from v6.12 they are mksysmap patterns, already in
    /// `rules`: `BuildOptions.build`).
    /// `filtering`: mksysmap, when the caller reuses earlier verdicts (`CompressionCache.filter`).
    ///
    /// When kallsyms reads the raw map whole (no name skipped), the map's own records get
    /// their line numbers and are the input: the pass's map and input share one array instead
    /// of the input copying every record (and retaining every name) to number it.
    static func kallsymsInput(
        _ map: inout LinkedMap, rules: EraBuild, era: Era, ignoring prefixes: [[UInt8]] = [],
        filtering filter: (([SymbolRecord]) -> [SymbolRecord])? = nil
    ) -> [SymbolRecord] {
        var records: [SymbolRecord]
        var firstLine: Int
        let ignored = rules.ignoresNamesInGenerator ? prefixes : []
        switch rules.kallsymsInput {
        case .rawNm:
            records = map.symbols
            firstLine = map.undefinedWeak.count + 1
        case .symsFile:
            records = filter?(map.symbols) ?? rules.systemMapFilter.apply(map.symbols)
            firstLine = 1
        }
        let limit = era.rules.nameLengthLimit
        func isSkipped(_ record: SymbolRecord) -> Bool {
            (limit.map { record.name.count >= $0 } ?? false) || ignored.contains { record.name.starts(with: $0) }
        }
        let skips = (limit != nil || !ignored.isEmpty) && records.contains(where: isSkipped)
        if !skips, rules.kallsymsInput == .rawNm {
            records = []  // (`map.symbols` alone holds the array: numbered in place)
            for index in map.symbols.indices {
                map.symbols[index].line = firstLine
                firstLine += 1
            }
            return map.symbols
        }
        if skips {
            // The generator skips these names (a name too long for its parser, with a warning;
            // an ignored prefix) but they keep their lines.
            var kept: [SymbolRecord] = []
            for (index, record) in records.enumerated() where !isSkipped(record) {
                var copy = record
                copy.line = firstLine + index
                kept.append(copy)
            }
            return kept
        }
        for index in records.indices {
            records[index].line = firstLine
            firstLine += 1
        }
        return records
    }

    /// Whether two maps have the same lines, in order.
    static func sameLines(_ a: [SymbolRecord], _ b: [SymbolRecord]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.sameLine(as: $1) }
    }

    /// `cmp -s`: nil when equal, else the differing lines (positional, as `cmp` sees them).
    static func compare(
        _ systemMap: [SymbolRecord], with reference: [SymbolRecord],
        reference name: String
    ) -> BuildResult.Mismatch? {
        var differences: [BuildResult.Mismatch.Line] = []
        var count = 0
        for index in 0..<max(systemMap.count, reference.count) {
            let new = index < systemMap.count ? systemMap[index] : nil
            let old = index < reference.count ? reference[index] : nil
            if let new, let old, new.sameLine(as: old) { continue }
            count += 1
            if differences.count < BuildResult.Mismatch.sampleLimit {
                differences.append(.init(line: index + 1, reference: old, systemMap: new))
            }
        }
        guard count > 0 else { return nil }
        return BuildResult.Mismatch(referenceName: name, differingLines: count, samples: differences)
    }
}

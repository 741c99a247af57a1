import Compressor
import Generators
import LinkModel
import RealLink

/// Replays a saved case (`CaseFile`) and compares what happens with its `expect:` line.
///
/// - A **property** case is checked by the property it names, on exactly the saved map,
///   mutations, era and flags: it *fails* when the property's verdict is a failure, *passes*
///   when it passes, and *does not apply* when the property discards it (a mutation that no
///   longer applies, a refused map).
/// - A **build** case runs `Build(layout:options:)` on the saved layout with the case's era,
///   flags and mitigations (`BuildOptions(era:kallsyms:mitigations:)`): it *fails* when the
///   build does not end consistent, that is ends in "Inconsistent kallsyms data" (the final
///   `System.map` differs from the map the last tables were computed from) or in a generator
///   failure (the era's generator refused a pass's input); it *passes* when the era's
///   consistency check passes. The `target:` line is informational. A build case carries no
///   mutations (its layout is saved as mutated); its map, if any, is not read.
///
/// A case matches when it fails and says `expect: fails`, or passes and says `expect: passes`.
public enum CaseReplay {
    /// What replaying showed.
    public enum Observation: Hashable, Sendable, CustomStringConvertible {
        /// The property failed, or the build did not end consistent: why.
        case fails(String)
        /// The property passed, or the build ended consistent: what happened.
        case passes(String)
        /// The property discarded the case: why.
        case doesNotApply(String)

        /// `fails: …`, `passes: …`, `does not apply: …`.
        public var description: String {
            switch self {
            case .fails(let detail): return "fails: \(detail)"
            case .passes(let detail): return "passes: \(detail)"
            case .doesNotApply(let detail): return "does not apply: \(detail)"
            }
        }
    }

    /// One replay: the case, and what happened.
    public struct Result: Hashable, Sendable {
        /// The case replayed.
        public var file: CaseFile
        /// What happened.
        public var observation: Observation

        /// What the case's `expect:` line says.
        public var expectation: CaseFile.Expectation { file.expectation }

        /// Whether the observation is what `expect:` says.
        public var matchesExpectation: Bool {
            switch (observation, expectation) {
            case (.fails, .fails), (.passes, .passes): return true
            default: return false
            }
        }
    }

    /// Parses and replays a case file's text.
    /// - Throws: `CaseFileError` with the line, for a file that does not parse
    ///   or names an unknown property or mitigation.
    public static func replay(text: String, linker: Toolchain.Kind? = nil) throws -> Result {
        let file = try CaseFile(parsing: text)
        do {
            return try replayChecked(file, linker: linker)
        } catch let problem as Problem {
            throw CaseFileError(problem.message, line: line(of: problem.key, in: text))
        }
    }

    /// Replays a parsed case.
    /// - Throws: `CaseFileError` for an unknown property or mitigation, a
    ///   property case without a property, a build case without a layout or with mutations.
    public static func replay(_ file: CaseFile, linker: Toolchain.Kind? = nil) throws -> Result {
        do {
            return try replayChecked(file, linker: linker)
        } catch let problem as Problem {
            throw CaseFileError(problem.message)
        }
    }

    /// A problem with one header or section of a parsed case file.
    struct Problem: Error {
        var key: String
        var message: String
    }

    static func replayChecked(_ file: CaseFile, linker: Toolchain.Kind?) throws -> Result {
        switch file.kind {
        case .property: return Result(file: file, observation: try replayProperty(file))
        case .build: return Result(file: file, observation: try replayBuild(file, linker: linker))
        }
    }

    static func replayProperty(_ file: CaseFile) throws -> Observation {
        guard let name = file.property else { throw Problem(key: "kind", message: "a property case needs a \"property:\" line") }
        guard let property = Property.named(name) else {
            throw Problem(key: "property", message: "unknown property \(name) (known: \(Property.all.map(\.name).joined(separator: ", ")))")
        }
        let propertyCase = PropertyCase(map: file.map, mutations: file.mutations, era: file.era, options: file.options)
        switch property.check(propertyCase) {
        case .pass: return .passes("\(property.name) holds for this case")
        case .fail(let reason): return .fails(reason)
        case .discard(let reason): return .doesNotApply(reason)
        }
    }

    /// A build case linked by a real toolchain (`linker`) instead of the model.
    /// - Throws: `Toolchain.Failure` when the tools are missing or fail.
    static func replayBuild(_ file: CaseFile, linker kind: Toolchain.Kind? = nil) throws -> Observation {
        guard let layout = file.layout else { throw Problem(key: "kind", message: "a build case needs a \"--- layout\" section") }
        guard file.mutations.isEmpty else {
            throw Problem(key: "--- mutations", message: "a build case takes no mutations (save the layout as mutated)")
        }
        var mitigations: [Mitigation] = []
        for text in file.mitigations {
            guard let mitigation = Mitigation(parsing: text) else {
                throw Problem(key: "mitigations", message: "unknown mitigation \(text) (known: \(Mitigation.syntax.joined(separator: ", ")))")
            }
            mitigations.append(mitigation)
        }
        var options = file.buildOptions(mitigations: mitigations)
        let result: BuildResult
        if let kind {
            options.linker = kind.flavour
            let plan = LinkPlan(layout)
            var linker = try RealLinker(plan: plan, toolchain: try Toolchain(kind, target: layout.target), options: options)
            var cache = CompressionCache()
            result = try Build(layout: layout, options: options).run(target: layout.target, cache: &cache, linker: &linker)
        } else {
            result = Build(layout: layout, options: options).run()
        }
        switch result.outcome {
        case .consistent(let passes):
            return .passes("the \(file.era) build is consistent after \(passes) pass\(passes == 1 ? "" : "es")")
        case .inconsistent(let mismatch):
            return .fails(
                "Inconsistent kallsyms data: System.map differs from \(mismatch.referenceName) in "
                    + "\(mismatch.differingLines) line\(mismatch.differingLines == 1 ? "" : "s") after \(result.linkedPasses.count) passes")
        case .generatorFailed(let pass, let error):
            return .fails("the \(file.era) generator refused pass \(pass)'s input: \(error.description)")
        }
    }

    /// The 1-based line of header `key:` (or of section `--- name`), nil when absent.
    static func line(of key: String, in text: String) -> Int? {
        let prefix = key.hasPrefix("--- ") ? key : key + ":"
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where line.hasPrefix(prefix) {
            return index + 1
        }
        return nil
    }
}

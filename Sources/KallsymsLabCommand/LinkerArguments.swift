import Compressor
import LinkModel
import RealLink

/// `--linker`, `--nm` and `--compare-model`: which linker links each image and which `nm`
/// prints its map (docs/linkers.md). Shared by `simulate`, `replay`, `fuzz` and `mitigations`.
enum LinkerArguments {
    static let linkerSpec = OptionSpec(
        "--linker", value: "L",
        "model (default), gnu (GNU binutils) or lld (the Swift toolchain's LLVM tools).")
    static let nmSpec = OptionSpec(
        "--nm", value: "N",
        "2012 (letters by section name) or modern (by flags); default: the era's own time (v3.3: 2012).")
    static let compareSpec = OptionSpec("--compare-model", "With a real --linker, list every line where the model's map differs.")
    static let rulesSpec = OptionSpec(
        "--model-rules", value: "L",
        "gnu (default) or lld: whose rules (branch stubs, empty sections) the model follows.")
    static let specs = [linkerSpec, nmSpec, rulesSpec]
    static let optionSpec = OptionSpec(
        "--linker-option", value: "OPT", repeatable: true, "With a real linker: give OPT to every link (repeatable).")

    /// `--linker-option` values; a usage error without a real linker (`realOption` names it).
    static func linkerOptions(_ arguments: ParsedArguments, realOption: String) throws -> [String] {
        guard let options = arguments.values["--linker-option"] else { return [] }
        guard try toolchainKind(arguments, option: realOption) != nil else {
            throw UsageError("--linker-option needs \(realOption) gnu or lld")
        }
        return options
    }

    /// Which linker: nil for the model.
    static func toolchainKind(_ arguments: ParsedArguments, option: String = "--linker") throws -> Toolchain.Kind? {
        guard let text = arguments.value(option), text != "model" else { return nil }
        guard let kind = Toolchain.Kind(rawValue: text) else {
            throw UsageError("\(option) takes model, gnu or lld, not \(text)")
        }
        return kind
    }

    /// `--nm`, if given.
    static func letters(_ arguments: ParsedArguments) throws -> SymbolLetters? {
        guard let text = arguments.value("--nm") else { return nil }
        guard let letters = SymbolLetters(rawValue: text) else { throw UsageError("--nm takes 2012 or modern, not \(text)") }
        return letters
    }

    /// `--model-rules`, if given; `--confirm` or `--linker` (`realOption`) naming the other linker is a usage error.
    static func rules(_ arguments: ParsedArguments, realOption: String) throws -> LinkerFlavour? {
        guard let text = arguments.value("--model-rules") else { return nil }
        guard let flavour = LinkerFlavour(rawValue: text) else { throw UsageError("--model-rules takes gnu or lld, not \(text)") }
        if let kind = try toolchainKind(arguments, option: realOption), kind.flavour != flavour {
            throw UsageError("--model-rules \(flavour) contradicts \(realOption) \(kind): the model follows the linker it is checked against")
        }
        return flavour
    }

    /// Applies `--nm` and `--linker` to `options` (the model follows the real linker's rules).
    static func apply(_ arguments: ParsedArguments, to options: inout BuildOptions) throws {
        if let letters = try letters(arguments) { options.letters = letters }
        if let text = arguments.value("--model-rules") {
            guard let flavour = LinkerFlavour(rawValue: text) else { throw UsageError("--model-rules takes gnu or lld, not \(text)") }
            options.linker = flavour
        }
        if let kind = try toolchainKind(arguments) {
            if let flavour = arguments.value("--model-rules"), flavour != kind.flavour.rawValue {
                throw UsageError("--model-rules \(flavour) contradicts --linker \(kind): the model follows the linker it is compared with")
            }
            options.linker = kind.flavour
        }
    }

    /// The real toolchain for `kind` and `target`, or the command-line error naming what is missing.
    static func toolchain(_ kind: Toolchain.Kind, target: TargetABI) throws -> Toolchain {
        do { return try Toolchain(kind, target: target) } catch { throw CommandError("\(error)") }
    }

    /// Runs `build` on `layout` with the real toolchain `kind`.
    static func run(
        _ build: Build, plan: LinkPlan, kind: Toolchain.Kind, comparesModel: Bool, linkerOptions: [String] = []
    ) throws
        -> (BuildResult, RealLinker)
    {
        let toolchain = try toolchain(kind, target: plan.layout.target).adding(linkerOptions: linkerOptions)
        do {
            var linker = try RealLinker(plan: plan, toolchain: toolchain, options: build.options, comparesModel: comparesModel)
            var cache = CompressionCache()
            let result = try build.run(target: plan.layout.target, cache: &cache, linker: &linker)
            return (result, linker)
        } catch {
            throw CommandError("\(kind) link: \(error.description)")
        }
    }
}

import Compressor

/// What links each image of a build: the model (`ModelLinker`), or a real toolchain behind
/// the same interface (the `RealLink` module).
///
/// `link` is called once per temporary image and once for vmlinux, in build order, with the
/// kallsyms output the image holds (nil: none, pass 1 of v3.3–v6.1).
public protocol ImageLinker {
    /// What a failed link throws; `Never` for the model.
    associatedtype Failure: Error
    /// The `nm -n` map of the image linked with `output`'s object.
    ///
    /// `weakReferences`: the table names the kernel declares weak (undefined `w` until defined).
    mutating func link(_ output: KallsymsOutput?, weakReferences: [[UInt8]]) throws(Failure) -> LinkedMap

    /// Whether the map depends on nothing but the object and the weak references (the model):
    /// a build then takes vmlinux's map from the last pass when vmlinux links the same object.
    var mapsDependOnObjectOnly: Bool { get }
}

extension ImageLinker {
    /// A real linker links every image, vmlinux included.
    public var mapsDependOnObjectOnly: Bool { false }
}

/// The model: `LinkPlan.link` with the build's conventions. Never fails.
public struct ModelLinker: ImageLinker {
    /// The prepared layout.
    public let plan: LinkPlan
    /// Which `nm` and whose empty-section rules.
    public let conventions: LinkPlan.Conventions

    /// The model linker for `plan`.
    public init(plan: LinkPlan, conventions: LinkPlan.Conventions) {
        self.plan = plan
        self.conventions = conventions
    }

    public func link(_ output: KallsymsOutput?, weakReferences: [[UInt8]]) -> LinkedMap {
        plan.link(object: output?.object, weakReferences: weakReferences, conventions: conventions)
    }

    /// `LinkPlan.link` is a function of the object (labels, size, alignment).
    public var mapsDependOnObjectOnly: Bool { true }
}

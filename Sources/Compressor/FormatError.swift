/// An input error that knows the line it refers to, whichever text format it comes from.
///
/// The command line prints any of them as `FILE:LINE: message`; each format has its own type
/// (`KallsymsError` for the kernel generator's inputs, `FormatError<…>` for the lab's own
/// formats), so a caller catches the format it parsed and nothing else.
public protocol LocatedError: Error, CustomStringConvertible {
    /// A one-line explanation, without the location.
    var message: String { get }
    /// The 1-based input line the failure refers to, when there is one.
    var line: Int? { get }
}

extension LocatedError {
    /// `line 12: …`, or just the message.
    public var description: String {
        if let line { return "line \(line): \(message)" }
        return message
    }
}

/// Text that is not in the format of `Format` (the type the text describes: a layout, a
/// profile, a mutation, a case file): what went wrong and on which line.
///
/// One implementation, one error type per format (`LayoutError`, `ProfileError`, …, each a
/// typealias declared beside its parser); `Format` only names the format.
public struct FormatError<Format>: LocatedError, Hashable, Sendable {
    public let message: String
    public let line: Int?

    public init(_ message: String, line: Int? = nil) {
        self.message = message
        self.line = line
    }

    /// The same error on another line (a parser of an enclosing format knows where the inner
    /// text started).
    public func at(line: Int?) -> Self { Self(message, line: line) }
}

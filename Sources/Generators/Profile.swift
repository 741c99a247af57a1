import Compressor
import Foundation

/// What makes a generated `nm -n` map look like a real kernel's: regions with their type
/// letters, address gaps, equal-address groups, markers and alias blocks, and a model of the
/// names. Learned from a real map with `learn(from:)`; `Profile.arm` is the built-in one,
/// learned from the Debian armhf 6.1.176 `System.map` in `Tests/Corpus`.
///
/// A profile is a plain value and round-trips through JSON (`json()`, `init(json:)`).
public struct Profile: Hashable, Sendable, Codable {
    /// The JSON format this code reads and writes.
    public static let currentFormat = 1

    /// The format version (`currentFormat`).
    public var format: Int
    /// How many symbols the learned map had: the default size of a generated map.
    public var symbolCount: Int
    /// Hex digits per address in the learned map (8 for 32-bit images, 16 for 64-bit ones).
    public var addressWidth: Int
    /// The regions in address order.
    public var regions: [RegionProfile]
    /// How names are built.
    public var names: NameModel

    public init(
        format: Int = Profile.currentFormat, symbolCount: Int, addressWidth: Int,
        regions: [RegionProfile], names: NameModel
    ) {
        self.format = format
        self.symbolCount = symbolCount
        self.addressWidth = addressWidth
        self.regions = regions
        self.names = names
    }

    /// The highest address a generated map may use: 2³² − 1 for 32-bit profiles.
    public var highestAddress: UInt64 { addressWidth <= 8 ? 0xFFFF_FFFF : .max }

    /// All markers, in region order.
    public var markers: [Marker] { regions.flatMap(\.markers) }

    /// All alias blocks, in region order.
    public var aliasBlocks: [AliasBlock] { regions.flatMap(\.aliasBlocks) }

    /// Type letter → count over every region's ordinary symbols.
    public var typeLetters: [String: Int] {
        regions.reduce(into: [:]) { total, region in
            for (letter, count) in region.typeLetters { total[letter, default: 0] += count }
        }
    }

    // MARK: JSON

    /// Pretty-printed JSON with sorted keys, ending in a newline (what `kallsyms-lab profile` prints).
    public func json() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding plain structs, strings and integers cannot fail.
        let data = try! encoder.encode(self)
        return [UInt8](data) + [0x0A]
    }

    /// Reads a profile from JSON.
    /// - Throws: `ProfileError` naming the line (when it can be found) and the
    ///   field that is wrong, or a format version this code does not read.
    public init(json bytes: [UInt8]) throws {
        let profile: Profile
        do {
            profile = try JSONDecoder().decode(Profile.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw Self.describe(error, in: bytes)
        } catch {
            throw ProfileError("not a profile: \(error)")
        }
        guard profile.format == Self.currentFormat else {
            throw ProfileError("profile format \(profile.format) is not \(Self.currentFormat)", line: 1)
        }
        self = profile
    }

    private static func describe(_ error: DecodingError, in bytes: [UInt8]) -> ProfileError {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        func line(_ context: DecodingError.Context) -> Int? {
            // The line of the innermost key, found by its first occurrence after the outer ones.
            var offset = 0
            for key in context.codingPath where key.intValue == nil {
                let needle = Array("\"\(key.stringValue)\"".utf8)
                guard let found = firstIndex(of: needle, in: bytes, from: offset) else { return nil }
                offset = found + needle.count
            }
            guard !context.codingPath.isEmpty else { return nil }
            return bytes[..<offset].reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
        }
        switch error {
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return ProfileError("not valid JSON", line: syntaxErrorLine(in: bytes))
            }
            return ProfileError("\(path(context)): \(context.debugDescription)", line: line(context))
        case .keyNotFound(let key, let context):
            return ProfileError("missing field \(path(context)).\(key.stringValue)", line: line(context))
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return ProfileError("\(path(context)): \(context.debugDescription)", line: line(context))
        @unknown default:
            return ProfileError("not a profile: \(error)")
        }
    }

    /// The line of a JSON syntax error, from Foundation's "… around character N." message.
    private static func syntaxErrorLine(in bytes: [UInt8]) -> Int? {
        do {
            _ = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
            return nil
        } catch {
            let message = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            guard let range = message.range(of: "character ") else { return nil }
            let digits = message[range.upperBound...].prefix { $0.isNumber }
            guard let offset = Int(digits) else { return nil }
            return bytes.prefix(offset).reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
        }
    }

    private static func firstIndex(of needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        for index in start...(haystack.count - needle.count) where haystack[index] == needle[0] {
            if haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
        }
        return nil
    }
}

/// A profile that does not parse: the message and, when it can be found, the line.
public typealias ProfileError = FormatError<Profile>

import Synchronization

/// Work cut into chunks that the calling thread does from the front and a second thread (a
/// warm core) from the back, each claiming a chunk before it starts it, until they meet.
///
/// The readers (`TokenMapParser`, `LineMapParser`) cut their input at line starts and join the
/// parts in order; the selection (`Era.selectRows`) cuts its rows and has each chunk's verdicts
/// written in place. The second thread takes its first chunk only once it is running: when it
/// starts late the calling thread simply does more, and when it has not started by the end its
/// piece is withdrawn. Parts are written by the thread that claimed their chunk and read after
/// `WarmCore.waitUntilDone` (or the withdrawal), which orders those writes before the reads.
final class ChunkedWork<Part>: @unchecked Sendable {  // `parts[i]` belongs to the claimant of chunk i
    /// Chunk `i` is `bounds[i]..<bounds[i + 1]`; `bounds.first` is 0, `bounds.last` the input's size.
    let bounds: [Int]
    private let claims = Atomic<UInt64>(0)
    private let parts: UnsafeMutableBufferPointer<Part?>
    private let doChunk: (_ chunk: Int) -> Part

    /// At most 64 chunks (the claims are the bits of one word). A reader's chunks are of at
    /// least 64 KiB by default: 54 for a 3.5 MB `System.map`.
    static var chunkSize: Int { 64 << 10 }

    /// The chunks of a reader's `bytes`, each starting at a line whose first byte is not blank
    /// (a blank line or a leading blank would be skipped by the token reader, which would then
    /// not stop exactly at the chunk's start); nil when the input is not worth cutting.
    static func bounds(of bytes: UnsafeBufferPointer<UInt8>, chunkSize: Int) -> [Int]? {
        let count = bytes.count
        let size = max(1, chunkSize, (count + 63) / 64)
        guard count >= 2 * size, let base = bytes.baseAddress else { return nil }
        var bounds = [0]
        var next = size
        while next < count && bounds.count < 64 {
            // The first line start at or after `next` …
            var cursor = next
            while cursor < count && base[cursor &- 1] != 0x0A { cursor &+= 1 }
            // … whose first byte is not blank.
            while cursor < count && isCSpace(base[cursor]) {
                cursor &+= 1
                while cursor < count && base[cursor &- 1] != 0x0A { cursor &+= 1 }
            }
            guard cursor < count else { break }
            bounds.append(cursor)
            next = cursor &+ size
        }
        bounds.append(count)
        return bounds.count > 2 ? bounds : nil
    }

    /// `count` items in chunks of at least `minimum` (at most 64 chunks).
    static func bounds(ofItems count: Int, minimum: Int) -> [Int] {
        let size = max(1, minimum, (count + 63) / 64)
        return Array(stride(from: 0, to: count, by: size)) + [count]
    }

    init(bounds: [Int], doing doChunk: @escaping (_ chunk: Int) -> Part) {
        precondition(bounds.count >= 2 && bounds.count <= 65, "ChunkedWork: 1 to 64 chunks")
        self.bounds = bounds
        self.doChunk = doChunk
        parts = .allocate(capacity: bounds.count - 1)
        parts.initialize(repeating: nil)
    }

    deinit {
        parts.deinitialize()
        parts.deallocate()
    }

    var chunkCount: Int { bounds.count - 1 }

    /// Does every chunk, on `warm` too when it is free; returns the parts in order.
    func run(on warm: Concurrently.WarmCore?) -> [Part] {
        // The piece holds this object, so a piece that runs late finds every chunk claimed.
        let handed = warm?.take { [self] in work(from: .back) } ?? false
        work(from: .front)
        if handed, let warm, !warm.withdraw() { warm.waitUntilDone() }
        return parts.map { $0! }
    }

    private enum End { case front, back }

    /// Claims and does chunks from one end until a claim finds the chunk taken.
    private func work(from end: End) {
        let count = chunkCount
        for step in 0..<count {
            let chunk = end == .front ? step : count - 1 - step
            let bit = UInt64(1) << UInt64(chunk)
            guard claims.bitwiseOr(bit, ordering: .relaxed).oldValue & bit == 0 else { return }
            parts[chunk] = doChunk(chunk)
        }
    }
}

import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// Writes chunks on a second thread while the caller produces the next ones.
///
/// Writing a kernel's `.S` (4.4 MB for the armhf map, 29 MB for a 121 000-symbol x86-64 map)
/// into a file costs the kernel about as much as formatting it costs us (page-cache pages,
/// copies, delayed allocation), so the two overlap. The producer fills buffers of a small pool
/// and hands each one over for good when it is full; a thread that is joined before `run`
/// returns writes them in order and gives each back once written, and the hand-over returns
/// the next free one. No chunk is copied. The first write error stops the writing (later
/// chunks are dropped) and is thrown by `run`.
final class BackgroundWriter: @unchecked Sendable {  // state shared under the semaphores below
    private let write: (UnsafeBufferPointer<UInt8>) throws -> Void
    /// How many full buffers may wait for the writer; the pool holds one more, the one being
    /// filled.
    static let depth = 4
    private static let buffers = depth + 1
    /// The queue of full chunks, one slot per buffer (raw memory: each slot is handed from
    /// one thread to the other by the semaphores); `nil` ends the stream.
    private let ring: UnsafeMutablePointer<UnsafeBufferPointer<UInt8>?>
    /// Counts the buffers the writer has given back (beyond the `depth` free at the start).
    private let free = DispatchSemaphore(value: BackgroundWriter.depth)
    private let filled = DispatchSemaphore(value: 0)
    /// Written by the writer thread only; read after it has been joined.
    private var failure: Error?

    private init(_ write: @escaping (UnsafeBufferPointer<UInt8>) throws -> Void) {
        self.write = write
        ring = .allocate(capacity: Self.buffers)
        ring.initialize(repeating: nil, count: Self.buffers)
    }

    deinit {
        ring.deallocate()
    }

    /// Runs `produce` with a first buffer of `chunkSize` bytes and a hand-over that takes a
    /// full buffer's bytes for writing (on a second thread, in order) and returns the buffer
    /// to fill next: the pool's buffers come round in turn, each once the writer is done with
    /// it. Where no thread can be started, each chunk is written during its hand-over.
    static func run(
        into write: (UnsafeBufferPointer<UInt8>) throws -> Void, chunkSize: Int,
        handingOver produce: (
            _ first: UnsafeMutableBufferPointer<UInt8>,
            _ handOver: (UnsafeBufferPointer<UInt8>) -> UnsafeMutableBufferPointer<UInt8>
        ) -> Void
    ) throws {
        let pool = (0..<buffers).map { _ in UnsafeMutableBufferPointer<UInt8>.allocate(capacity: chunkSize) }
        defer { for buffer in pool { buffer.deallocate() } }
        try withoutActuallyEscaping(write) { write in
            let writer = BackgroundWriter(write)
            var thread = pthread_t()
            let started = pthread_create(
                &thread, nil,
                { context in
                    Unmanaged<BackgroundWriter>.fromOpaque(context!).takeRetainedValue().drain()
                    return nil
                }, Unmanaged.passRetained(writer).toOpaque())
            guard started == 0 else {
                // No second thread: write in place, into the first buffer again and again.
                Unmanaged.passUnretained(writer).release()
                var failure: Error?
                produce(pool[0]) { chunk in
                    if failure == nil {
                        do { try write(chunk) } catch { failure = error }
                    }
                    return pool[0]
                }
                if let failure { throw failure }
                return
            }
            // Chunk k is filled in buffer k % buffers and queued in slot k % buffers; before
            // buffer k + 1 is filled, `free` makes sure chunk k + 1 - buffers, its last user,
            // has been written.
            var slot = 0
            produce(pool[0]) { chunk in
                writer.ring[slot] = chunk
                slot = (slot + 1) % buffers
                writer.filled.signal()
                writer.free.wait()
                return pool[slot]
            }
            // At most `depth` chunks wait here, so the end marker's slot is free.
            writer.ring[slot] = nil
            writer.filled.signal()
            pthread_join(thread, nil)
            if let failure = writer.failure { throw failure }
        }
    }

    /// Runs `produce`, writing every chunk it hands over with `write` on a second thread: each
    /// is copied into the pool's next buffer (`copy`), so the producer may reuse its own at once.
    static func run(
        into write: (UnsafeBufferPointer<UInt8>) throws -> Void,
        _ produce: ((UnsafeBufferPointer<UInt8>) -> Void) -> Void
    ) throws {
        try run(into: write, chunkSize: copyingChunkSize) { first, handOver in
            copy(produce, into: first, handingOver: handOver)
        }
    }

    /// The buffer size for producers whose chunks are copied.
    static let copyingChunkSize = 1 << 18

    /// Adapts a producer of chunks it keeps to the hand-over: copies each chunk into `first`
    /// or the buffer the last hand-over returned (a chunk larger than a buffer in pieces) and
    /// hands that over, one hand-over per piece.
    static func copy(
        _ produce: ((UnsafeBufferPointer<UInt8>) -> Void) -> Void, into first: UnsafeMutableBufferPointer<UInt8>,
        handingOver handOver: (UnsafeBufferPointer<UInt8>) -> UnsafeMutableBufferPointer<UInt8>
    ) {
        withoutActuallyEscaping(handOver) { handOver in
            var buffer = first
            produce { chunk in
                var rest = chunk
                while !rest.isEmpty {
                    let piece = min(rest.count, buffer.count)
                    buffer.baseAddress!.update(from: rest.baseAddress!, count: piece)
                    buffer = handOver(UnsafeBufferPointer(rebasing: buffer[..<piece]))
                    rest = UnsafeBufferPointer(rebasing: rest[piece...])
                }
            }
        }
    }

    /// The writer thread: takes the chunks in order until the end marker, giving each buffer
    /// back once it is written.
    private func drain() {
        var slot = 0
        while true {
            filled.wait()
            // (Every hand-over waited once on `free` and every written chunk signals it once,
            // so both semaphores end at their initial values, as libdispatch requires.)
            guard let chunk = ring[slot] else { return }
            ring[slot] = nil
            slot = (slot + 1) % Self.buffers
            if failure == nil {
                do { try write(chunk) } catch { failure = error }
            }
            free.signal()
        }
    }
}

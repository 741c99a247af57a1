import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// Writes chunks on a second thread while the caller produces the next ones.
///
/// Writing a kernel's `.S` (4.4 MB for the armhf map) into a file costs the kernel about as
/// much as formatting it costs us (page-cache pages, copies, delayed allocation), so the two
/// overlap: each chunk is copied (the producer reuses its buffer), queued, and written in
/// order by a thread that is joined before `run` returns. At most `depth` chunks wait. The
/// first write error stops the writing (later chunks are dropped) and is thrown by `run`.
final class BackgroundWriter: @unchecked Sendable {  // state shared under the semaphores below
    private let write: (UnsafeBufferPointer<UInt8>) throws -> Void
    private static let depth = 4
    /// A ring of queued chunks (raw memory: each slot is handed from one thread to the other
    /// by the semaphores); `nil` ends the stream.
    private let ring: UnsafeMutablePointer<UnsafeMutableBufferPointer<UInt8>?>
    private let free = DispatchSemaphore(value: BackgroundWriter.depth)
    private let filled = DispatchSemaphore(value: 0)
    /// Written by the writer thread only; read after it has been joined.
    private var failure: Error?

    private init(_ write: @escaping (UnsafeBufferPointer<UInt8>) throws -> Void) {
        self.write = write
        ring = .allocate(capacity: Self.depth)
        ring.initialize(repeating: nil, count: Self.depth)
    }

    deinit {
        ring.deallocate()
    }

    /// Runs `produce`, writing every chunk it hands over with `write` on a second thread.
    static func run(
        into write: (UnsafeBufferPointer<UInt8>) throws -> Void,
        _ produce: ((UnsafeBufferPointer<UInt8>) -> Void) -> Void
    ) throws {
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
                // No second thread: write in place.
                Unmanaged.passUnretained(writer).release()
                var failure: Error?
                produce { chunk in
                    guard failure == nil else { return }
                    do { try write(chunk) } catch { failure = error }
                }
                if let failure { throw failure }
                return
            }
            var slot = 0
            produce { chunk in
                writer.free.wait()
                let copy = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: chunk.count)
                _ = copy.initialize(from: chunk)
                writer.ring[slot] = copy
                slot = (slot + 1) % depth
                writer.filled.signal()
            }
            writer.free.wait()
            writer.ring[slot] = nil
            writer.filled.signal()
            pthread_join(thread, nil)
            if let failure = writer.failure { throw failure }
        }
    }

    /// The writer thread: takes the chunks in order until the end marker.
    private func drain() {
        var slot = 0
        while true {
            filled.wait()
            guard let chunk = ring[slot] else {
                // The end marker's slot is free again (a semaphore is disposed of only at
                // its initial value).
                free.signal()
                return
            }
            ring[slot] = nil
            slot = (slot + 1) % Self.depth
            if failure == nil {
                do { try write(UnsafeBufferPointer(chunk)) } catch { failure = error }
            }
            chunk.deallocate()
            free.signal()
        }
    }
}

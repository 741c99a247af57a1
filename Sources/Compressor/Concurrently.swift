#if canImport(Glibc)
import Glibc
#endif

/// Two independent pieces of work at once: one on a second thread, one on the caller's.
///
/// The generator's stages are sequential, but a few pieces of them depend on the selection
/// alone, not on the compression (v6.19+'s `kallsyms_seqs_of_names`, the comments the writer
/// prints): on a machine with two cores they run while the compression does. Where no thread
/// can be started (or on a system without POSIX threads) both run on the caller's thread, one
/// after the other; the results are the same either way.
enum Concurrently {
    /// Runs `background` on a second thread while `foreground` runs on this one; returns both
    /// results once both are done.
    ///
    /// `background` must not touch anything `foreground` mutates (both only read shared values here).
    static func run<Foreground, Background>(_ foreground: () throws -> Foreground,
                                            alongside background: @escaping () -> Background) rethrows
        -> (Foreground, Background)
    {
        #if canImport(Glibc)
        let result = ResultSlot<Background>()
        let work = Work { result.value = background() }
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { context in
            Unmanaged<Work>.fromOpaque(context!).takeRetainedValue().body()
            return nil
        }, Unmanaged.passRetained(work).toOpaque())
        guard started == 0 else {
            Unmanaged.passUnretained(work).release()
            return (try foreground(), background())
        }
        let first: Foreground
        do {
            first = try foreground()
        } catch {
            pthread_join(thread, nil)
            throw error
        }
        pthread_join(thread, nil)
        return (first, result.value!)
        #else
        return (try foreground(), background())
        #endif
    }

    /// The background work, handed to the second thread.
    private final class Work: @unchecked Sendable {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    /// Where the background result lands: written by the second thread before it ends, read
    /// only after it has been joined.
    private final class ResultSlot<Value>: @unchecked Sendable {
        var value: Value?
    }
}

import Testing

@testable import KallsymsLabCommand

#if canImport(Glibc)
    import Glibc
#endif

/// `BackgroundWriter` writes every chunk, in order, on its own thread; the first failure stops
/// the writing and is thrown once production is over.
@Suite struct BackgroundWriterTests {
    struct Refused: Error {}

    /// Chunks of varying sizes, more than the queue holds, from one reused buffer.
    func produce(_ chunks: Int) -> (((UnsafeBufferPointer<UInt8>) -> Void) -> Void, [UInt8]) {
        var expected: [UInt8] = []
        for index in 0..<chunks { expected += (0..<(1 + index * 37 % 500)).map { UInt8(truncatingIfNeeded: $0 &+ index) } }
        let produce: ((UnsafeBufferPointer<UInt8>) -> Void) -> Void = { sink in
            var buffer = [UInt8](repeating: 0, count: 512)
            for index in 0..<chunks {
                let count = 1 + index * 37 % 500
                for k in 0..<count { buffer[k] = UInt8(truncatingIfNeeded: k &+ index) }
                buffer.withUnsafeBufferPointer { sink(UnsafeBufferPointer(rebasing: $0[..<count])) }
                // The producer reuses its buffer at once: the writer must have taken a copy.
                for k in 0..<count { buffer[k] = 0xEE }
            }
        }
        return (produce, expected)
    }

    @Test("every chunk arrives, in order, whatever the producer does to its buffer afterwards")
    func chunksArriveInOrder() throws {
        let (produce, expected) = produce(200)
        var written: [UInt8] = []
        try BackgroundWriter.run(into: { written += $0 }, produce)
        #expect(written == expected)
    }

    @Test("the first failed write stops the writing and is thrown")
    func failureIsThrown() {
        let (produce, expected) = produce(50)
        var written: [UInt8] = []
        var calls = 0
        #expect(throws: Refused.self) {
            try BackgroundWriter.run(
                into: { chunk in
                    calls += 1
                    if calls == 10 { throw Refused() }
                    written += chunk
                }, produce)
        }
        // Nine chunks went through; nothing after the failure was written.
        #expect(calls == 10)
        #expect(written == Array(expected.prefix(written.count)) && !written.isEmpty)
    }

    @Test("hand-over: every chunk arrives in order, and no buffer comes back while it waits to be written")
    func handOverNeverReturnsAWaitingBuffer() throws {
        let chunkSize = 4_096
        var expected: [UInt8] = []
        var written: [UInt8] = []
        var handedOver = 0
        try BackgroundWriter.run(
            into: { chunk in
                // A slow writer now and then, so that the queue fills up.
                if written.count % 3 == 0 { usleep(200) }
                written += chunk
            },
            chunkSize: chunkSize,
            handingOver: { first, handOver in
                var buffer = first
                for index in 0..<200 {
                    #expect(buffer.count == chunkSize)
                    let count = 1 + index * 977 % chunkSize
                    for k in 0..<count { buffer[k] = UInt8(truncatingIfNeeded: k &+ index) }
                    expected += buffer[..<count]
                    buffer = handOver(UnsafeBufferPointer(rebasing: buffer[..<count]))
                    handedOver += 1
                    // The buffer given back is the producer's: writing all of it at once must not
                    // touch a chunk that is still queued.
                    buffer.update(repeating: 0xEE)
                }
            })
        #expect(handedOver == 200)
        #expect(written == expected)
    }

    @Test("hand-over: the first failed write stops the writing and is thrown")
    func handOverFailureIsThrown() {
        var calls = 0
        #expect(throws: Refused.self) {
            try BackgroundWriter.run(
                into: { _ in
                    calls += 1
                    if calls == 3 { throw Refused() }
                },
                chunkSize: 64,
                handingOver: { first, handOver in
                    var buffer = first
                    for _ in 0..<20 { buffer = handOver(UnsafeBufferPointer(buffer)) }
                })
        }
        #expect(calls == 3)
    }
}

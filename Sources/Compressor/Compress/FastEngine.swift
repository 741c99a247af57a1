/// The default engine (issue 4 replaces this with an incremental one; until then it is the
/// reference algorithm).
public enum FastEngine {
    public static func compress(_ input: ByteStrings) -> Compression {
        ReferenceEngine.compress(input)
    }
}

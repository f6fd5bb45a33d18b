import Foundation

/// The finished cases of a long run, one JSON line each, so that an interrupted run resumes
/// without repeating them. The first line records the seed and the number of cases; a journal
/// of another seed or size is refused.
public final class FuzzJournal: @unchecked Sendable {
    struct Header: Codable { let seed: UInt64; let cases: Int }
    struct Time: Codable { let seconds: Double }
    let path: String
    let lock = NSLock()
    let handle: FileHandle
    /// The cases finished before this run.
    public private(set) var results: [FuzzRunner.Result] = []
    /// Wall seconds of the earlier runs.
    public private(set) var previousSeconds = 0.0

    public init(path: String, seed: UInt64, cases: Int) throws {
        self.path = path
        let decoder = JSONDecoder()
        if let data = FileManager.default.contents(atPath: path), !data.isEmpty {
            let lines = data.split(separator: 0x0A)
            guard let first = lines.first, let header = try? decoder.decode(Header.self, from: Data(first)) else {
                throw FuzzError("\(path): not a fuzz journal; give another file")
            }
            guard header.seed == seed, header.cases == cases else {
                throw FuzzError("\(path): a journal of seed \(header.seed) with \(header.cases) cases; rerun with --seed \(header.seed) --cases \(header.cases) or give another file")
            }
            for line in lines.dropFirst() {
                if let r = try? decoder.decode(FuzzRunner.Result.self, from: Data(line)) { results.append(r) }
                else if let t = try? decoder.decode(Time.self, from: Data(line)) { previousSeconds += t.seconds }
            }
        } else {
            FileManager.default.createFile(atPath: path, contents: Data((String(decoding: try JSONEncoder().encode(Header(seed: seed, cases: cases)), as: UTF8.self) + "\n").utf8))
        }
        guard let h = FileHandle(forWritingAtPath: path) else { throw FuzzError("\(path): cannot be written") }
        handle = h
        _ = try? handle.seekToEnd()
        // A torn last line (a kill mid-write) is cut by starting on a fresh line.
        try? handle.write(contentsOf: Data("\n".utf8))
    }

    /// Appends one finished case.
    public func append(_ result: FuzzRunner.Result) {
        guard let data = try? JSONEncoder().encode(result) else { return }
        lock.lock(); defer { lock.unlock() }
        try? handle.write(contentsOf: data + Data("\n".utf8))
    }

    /// Records the wall time of this run (summed over resumed runs).
    public func finish(seconds: Double) {
        let mine = seconds - previousSeconds
        guard let data = try? JSONEncoder().encode(Time(seconds: mine)) else { return }
        lock.lock(); defer { lock.unlock() }
        try? handle.write(contentsOf: data + Data("\n".utf8))
    }
}

import Foundation

/// Writes files so that a reader sees either the old file or the whole new one, never a part:
/// the bytes go to a temporary file beside the destination, are flushed, and are renamed over it.
public enum AtomicFile {
    /// Writes `data` to `path` atomically. Throws with the path in the message.
    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: directory.isEmpty ? "." : directory) else {
            throw FileError(path: path, reason: "its folder \(directory) does not exist")
        }
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw FileError(path: path, reason: "cannot create a file in \(directory)")
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
            if rename(temporary.path, url.path) != 0 {
                throw FileError(path: path, reason: String(cString: strerror(errno)))
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            if let e = error as? FileError { throw e }
            throw FileError(path: path, reason: "\(error.localizedDescription)")
        }
    }

    /// Writes UTF-8 `text` to `path` atomically.
    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }

    /// Reads a whole file; throws a ``FileError`` naming the path when it is missing or unreadable.
    public static func read(_ path: String) throws -> Data {
        guard FileManager.default.fileExists(atPath: path) else { throw FileError(path: path, reason: "no such file") }
        guard let data = FileManager.default.contents(atPath: path) else { throw FileError(path: path, reason: "cannot be read") }
        return data
    }
}

/// A file that could not be read or written.
public struct FileError: Error, CustomStringConvertible {
    /// The path as given.
    public let path: String
    /// Why.
    public let reason: String
    public var description: String { "\(path): \(reason)" }
    /// An error about `path`.
    public init(path: String, reason: String) { self.path = path; self.reason = reason }
}

import Foundation
import PrecisionModule
import FileIOModule
import RatesModule
import DynamicsModule

/// Turns SVG files into PNG with rsvg-convert (Debian: librsvg2-bin) when it is installed.
public enum Rasterizer {
    /// The rsvg-convert executable on PATH, if any.
    public static var converter: String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/rsvg-convert"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// Writes `png` from `svg` at `dpi` dots per inch (atomically: through a temporary file).
    /// Returns false when no converter is installed; throws when the converter fails.
    @discardableResult
    public static func png(from svg: String, to png: String, dpi: Int = 300) throws -> Bool {
        guard let tool = converter else { return false }
        let (destination, temporary) = try AtomicFile.prepare(png)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["-f", "png", "-d", "\(dpi)", "-p", "\(dpi)", "-b", "white", "-o", temporary, svg]
        let err = Pipe()
        process.standardError = err
        try process.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw FileError(path: png, reason: "rsvg-convert failed: \(message.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        do { try AtomicFile.commit(temporary, to: destination, path: png) } catch { try? FileManager.default.removeItem(atPath: temporary); throw error }
        return true
    }
}

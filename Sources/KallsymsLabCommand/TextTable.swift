extension String {
    /// The string right-aligned in `width` columns (never cut).
    func leftPad(_ width: Int, _ pad: Character = " ") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }

    /// The string left-aligned in `width` columns (never cut).
    func rightPad(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}

/// Rows of cells printed as aligned columns two spaces apart: numeric columns right-aligned,
/// the others left-aligned; the last column is not padded.
enum TextTable {
    static func lines(_ rows: [[String]], numeric: (Int) -> Bool) -> [String] {
        let columns = rows.map(\.count).max() ?? 0
        let widths = (0..<columns).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        return rows.map { row in
            row.indices.map { column in
                let cell = row[column]
                if numeric(column) { return cell.leftPad(widths[column]) }
                return column == row.count - 1 ? cell : cell.rightPad(widths[column])
            }.joined(separator: "  ")
        }
    }
}

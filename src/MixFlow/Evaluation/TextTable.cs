using System.Globalization;
using System.Text;

namespace MixFlow.Evaluation;

/// <summary>A plain-text table with a header row, left-aligned first column and right-aligned other columns.</summary>
internal static class TextTable
{
    internal static string Render(IReadOnlyList<string> header, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        int cols = header.Count;
        var w = new int[cols];
        for (int c = 0; c < cols; c++) w[c] = header[c].Length;
        foreach (var r in rows) for (int c = 0; c < cols; c++) w[c] = Math.Max(w[c], r[c].Length);
        var sb = new StringBuilder();
        void Row(IReadOnlyList<string> r)
        {
            for (int c = 0; c < cols; c++)
            {
                if (c > 0) sb.Append("  ");
                sb.Append(c == 0 ? r[c].PadRight(w[c]) : r[c].PadLeft(w[c]));
            }
            sb.Append('\n');
        }
        Row(header);
        sb.Append(new string('-', w.Sum() + 2 * (cols - 1))).Append('\n');
        foreach (var r in rows) Row(r);
        return sb.ToString();
    }

    internal static string Num(double v, string format = "F4") =>
        double.IsNaN(v) ? "NaN" : v.ToString(format, CultureInfo.InvariantCulture);
}

namespace Waybill.Core.Reports;

/// <summary>What is left of <see cref="ReportLimits.ExcerptBudgetChars"/> for log excerpts, shared by every stage of a report.</summary>
internal sealed class ExcerptBudget
{
    private int _next;

    public int RemainingChars { get; private set; } = ReportLimits.ExcerptBudgetChars;
    /// <summary>How many problems were listed without their excerpt because the budget was spent.</summary>
    public int LeftOut { get; private set; }

    public bool TryTake(int chars, out int id)
    {
        id = _next;
        if (chars > RemainingChars)
        {
            LeftOut++;
            return false;
        }
        RemainingChars -= chars;
        _next++;
        return true;
    }
}

namespace Waybill.Core.Logging;

public interface IFlushable
{
    void Flush();
}

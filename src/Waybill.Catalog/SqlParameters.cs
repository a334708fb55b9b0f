using System.Data.Common;
using Waybill.Core.Text;

namespace Waybill.Catalog;

/// <summary>Named parameters on a command, made once and given new values per row (the statement is prepared once).</summary>
internal static class SqlParameters
{
    public static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, params string[] names)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var name in names)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = DBNull.Value;
            command.Parameters.Add(parameter);
        }
        return command;
    }

    public static void Set(DbCommand command, string name, object? value) => command.Parameters[name].Value = Value(value);

    /// <summary>The parameter at <paramref name="index"/>, as made by <see cref="Command"/>: no search by name per value.</summary>
    public static void Set(DbCommand command, int index, object? value) => command.Parameters[index].Value = Value(value);

    private static object Value(object? value) => value switch
    {
        null => DBNull.Value,
        DateTimeOffset time => Time(time),
        _ => value,
    };

    /// <summary>UTC ISO-8601 with milliseconds: text that sorts as the times compare.</summary>
    public static string Time(DateTimeOffset time) => UtcMillisecondTime.Format(time);
}

namespace Waybill.Core.Pipeline;

/// <summary>Where a declared output may be: a file inside its stage folder, not a folder, not one of the engine's own files.</summary>
public static class OutputPathRules
{
    /// <summary>Null when the path names a file inside the stage folder.</summary>
    public static string? Problem(string path)
    {
        if (Path.IsPathRooted(path) || path.StartsWith('~')) return "is absolute and would escape the stage folder";
        var depth = 0;
        var parts = path.Split('/', '\\');
        foreach (var part in parts)
        {
            if (part == "..") depth--;
            else if (part is not ("" or ".")) depth++;
            if (depth < 0) return "escapes the stage folder ('..')";
        }
        if (depth == 0) return "names no file";
        // 'out/', 'out/.' and 'a/..' name folders: the stage would be checked for a file that can never be there.
        if (parts[^1] is "" or "." or "..") return "names a folder, not a file (it ends with '/', '.' or '..')";
        return null;
    }

    /// <summary>The error for a declared output whose path is not allowed, or null.</summary>
    public static PipelineError? Check(StageDefinition stage, OutputDeclaration output)
    {
        var field = $"{stage.Id}.outputs.{output.Name}";
        var at = output.Location ?? stage.Location;
        if (Problem(output.Path) is { } problem)
        {
            return new PipelineError($"output '{output.Name}' path '{output.Path}' {problem}", at, field,
                "write outputs inside the stage folder, e.g. 'result.json' or 'parts/a.txt'");
        }
        if (StageFolderNames.EngineUse(FirstSegment(output.Path)) is { } reserved)
            return new PipelineError($"output '{output.Name}' path '{output.Path}' would overwrite what the engine writes: {reserved}", at, field,
                "give the output another name, e.g. 'result.json'");
        return null;
    }

    /// <summary>The first name of the path once '.' and 'a/..' are resolved: 'x/../manifest.json' is 'manifest.json'.</summary>
    private static string FirstSegment(string path)
    {
        var stack = new List<string>();
        foreach (var part in path.Split('/', '\\'))
        {
            if (part == ".." && stack.Count > 0) stack.RemoveAt(stack.Count - 1);
            else if (part is not ("" or "." or "..")) stack.Add(part);
        }
        return stack.Count > 0 ? stack[0] : "";
    }
}

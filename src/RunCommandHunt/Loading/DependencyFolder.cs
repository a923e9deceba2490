using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;

namespace RunCommandHunt.Loading
{
    /// <summary>The module's dependencies/ folder: the engine and every third-party assembly, by simple name.</summary>
    internal sealed class DependencyFolder
    {
        public const string FolderName = "dependencies";

        private readonly Dictionary<string, string> _paths = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        public DependencyFolder(string moduleDirectory)
        {
            ModuleDirectory = moduleDirectory;
            Path = System.IO.Path.Combine(moduleDirectory, FolderName);
            if (!Directory.Exists(Path))
                throw new DirectoryNotFoundException($"RunCommandHunt: the module folder {moduleDirectory} has no {FolderName} folder; the module is incomplete. Reinstall it.");
            foreach (var file in Directory.GetFiles(Path, "*.dll"))
                _paths[System.IO.Path.GetFileNameWithoutExtension(file)] = file;
        }

        /// <summary>The folder RunCommandHunt.dll was loaded from.</summary>
        public static DependencyFolder OfThisModule()
        {
            var location = typeof(DependencyFolder).Assembly.Location;
            if (string.IsNullOrEmpty(location))
                throw new InvalidOperationException("RunCommandHunt.dll was loaded from memory, not from its module folder: its dependencies cannot be found.");
            return new DependencyFolder(System.IO.Path.GetDirectoryName(location)!);
        }

        public string ModuleDirectory { get; }
        public string Path { get; }
        public IEnumerable<string> Names => _paths.Keys;

        /// <summary>
        /// ReadyToRun images of dependencies/ assemblies compiled for one platform, in dependencies/&lt;platform&gt;/ (the
        /// build writes them for its own platform; see Module.targets), by simple name. Only an image whose IL copy is
        /// also in dependencies/ counts. Empty when the folder is absent.
        /// </summary>
        public Dictionary<string, string> ReadyToRunImages(string? platform)
        {
            var images = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (string.IsNullOrEmpty(platform)) return images;
            var dir = System.IO.Path.Combine(Path, platform);
            if (!Directory.Exists(dir)) return images;
            foreach (var file in Directory.GetFiles(dir, "*.dll"))
            {
                var name = System.IO.Path.GetFileNameWithoutExtension(file);
                if (_paths.ContainsKey(name)) images[name] = file;
            }
            return images;
        }

        public bool TryGetPath(string? simpleName, out string path)
        {
            path = "";
            return simpleName != null && _paths.TryGetValue(simpleName, out path!);
        }

        /// <summary>An assembly of the module root (RunCommandHunt.Model): shared with the session, never isolated.</summary>
        public bool TryGetRootPath(string? simpleName, out string path)
        {
            path = simpleName == null ? "" : System.IO.Path.Combine(ModuleDirectory, simpleName + ".dll");
            return simpleName != null && simpleName.StartsWith("RunCommandHunt.", StringComparison.OrdinalIgnoreCase) && File.Exists(path);
        }

        /// <summary>True for the module's assemblies in its root folder (RunCommandHunt.dll, RunCommandHunt.Model.dll).</summary>
        public bool IsRootAssembly(Assembly assembly)
        {
            if (assembly == typeof(DependencyFolder).Assembly) return true;
            string location;
            try { location = assembly.Location; }
            catch (NotSupportedException) { return false; }
            return !string.IsNullOrEmpty(location)
                && string.Equals(System.IO.Path.GetDirectoryName(location), ModuleDirectory, StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>True for an assembly of this module: the cmdlets, the model, or anything in dependencies/.</summary>
        public bool Contains(Assembly assembly)
        {
            if (assembly == typeof(DependencyFolder).Assembly) return true;
            string location;
            try { location = assembly.Location; }
            catch (NotSupportedException) { return false; } // dynamic assemblies have no location
            return !string.IsNullOrEmpty(location)
                && location.StartsWith(ModuleDirectory + System.IO.Path.DirectorySeparatorChar, StringComparison.OrdinalIgnoreCase);
        }
    }
}

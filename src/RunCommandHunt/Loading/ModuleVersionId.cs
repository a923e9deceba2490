using System;
using System.IO;
using System.Text;

namespace RunCommandHunt.Loading
{
    /// <summary>
    /// Reads an assembly's module version id (MVID) from its file without loading it: the PE headers, the CLI header,
    /// the metadata root, then row 1 of the Module table and its entry in the #GUID heap (ECMA-335 II.24, II.22.30).
    /// A ReadyToRun image keeps the MVID of the IL it was compiled from, and every build of the IL gets a new one, so
    /// equal MVIDs say that an image was made from this very IL copy.
    /// </summary>
    internal static class ModuleVersionId
    {
        /// <summary>The MVID, or null when the file is missing or is not a managed assembly this reader understands.</summary>
        public static Guid? Read(string path)
        {
            try
            {
                using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
                using var reader = new BinaryReader(file);
                file.Position = 0x3C;
                int pe = reader.ReadInt32();
                file.Position = pe;
                if (reader.ReadUInt32() != 0x00004550) return null; // "PE\0\0"
                file.Position = pe + 6;
                int sectionCount = reader.ReadUInt16();
                file.Position = pe + 20;
                int optionalHeaderSize = reader.ReadUInt16();
                int optionalHeader = pe + 24;
                file.Position = optionalHeader;
                int dataDirectories = optionalHeader + (reader.ReadUInt16() == 0x20B ? 112 : 96);
                file.Position = dataDirectories + 14 * 8; // the CLI header directory
                uint cliRva = reader.ReadUInt32();
                int sections = optionalHeader + optionalHeaderSize;

                long Offset(uint rva)
                {
                    for (int i = 0; i < sectionCount; i++)
                    {
                        file.Position = sections + 40 * i + 8;
                        uint virtualSize = reader.ReadUInt32(), virtualAddress = reader.ReadUInt32();
                        uint rawSize = reader.ReadUInt32(), rawPointer = reader.ReadUInt32();
                        if (rva >= virtualAddress && rva < virtualAddress + Math.Max(virtualSize, rawSize)) return rva - virtualAddress + rawPointer;
                    }
                    throw new InvalidDataException("RVA outside every section");
                }

                if (cliRva == 0) return null;
                file.Position = Offset(cliRva) + 8;
                long metadata = Offset(reader.ReadUInt32());
                file.Position = metadata;
                if (reader.ReadUInt32() != 0x424A5342) return null; // "BSJB"
                file.Position = metadata + 12;
                int versionLength = reader.ReadInt32();
                file.Position = metadata + 16 + versionLength + 2;
                int streamCount = reader.ReadUInt16();
                long tables = -1, guids = -1;
                for (int i = 0; i < streamCount; i++)
                {
                    uint offset = reader.ReadUInt32();
                    reader.ReadUInt32();
                    var name = new StringBuilder();
                    for (byte b; (b = reader.ReadByte()) != 0;) name.Append((char)b);
                    file.Position = metadata + ((file.Position - metadata + 3) & ~3L); // padded to 4 bytes, terminator included
                    if (name.ToString() == "#~") tables = metadata + offset;
                    else if (name.ToString() == "#GUID") guids = metadata + offset;
                }
                if (tables < 0 || guids < 0) return null;
                file.Position = tables + 6;
                byte heapSizes = reader.ReadByte();
                file.Position = tables + 8;
                ulong present = reader.ReadUInt64();
                int tableCount = 0;
                for (ulong bits = present; bits != 0; bits &= bits - 1) tableCount++;
                // Row counts, then (with the "extra data" flag) 4 more bytes, then the Module table's single row:
                // Generation (2 bytes), Name (#Strings index), Mvid (#GUID index, 1-based).
                file.Position = tables + 24 + 4 * tableCount + ((heapSizes & 0x40) != 0 ? 4 : 0) + 2 + ((heapSizes & 1) != 0 ? 4 : 2);
                long guidIndex = (heapSizes & 2) != 0 ? reader.ReadUInt32() : reader.ReadUInt16();
                if (guidIndex == 0) return null;
                file.Position = guids + (guidIndex - 1) * 16;
                return new Guid(reader.ReadBytes(16));
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is InvalidDataException || ex is ArgumentException)
            {
                return null;
            }
        }
    }
}

global using System.Text.Json;
global using System.Text.Json.Serialization;

// GeoJSON.js (npm "geojson") ships no types, and @types/geojson owns the module name "geojson"
// for the GeoJSON types, so the runtime is imported by its file path and typed here.
declare module 'geojson/geojson.js' {
  const GeoJSON: {
    parse(objects: object | object[], params: { Point?: [string, string]; include?: string[]; exclude?: string[] }): unknown;
  };
  export default GeoJSON;
}

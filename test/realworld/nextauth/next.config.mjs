/** @type {import('next').NextConfig} */
const nextConfig = {
  // Turned on to read readable stack traces from production errors in the
  // browser console; the maps are then served to everyone.
  productionBrowserSourceMaps: true,
};

export default nextConfig;

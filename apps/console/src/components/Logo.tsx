export function Logo({ size = 28 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 64 64" aria-hidden="true" focusable="false">
      <rect width="64" height="64" rx="14" fill="#1f4fd6" />
      <rect x="18" y="10" width="28" height="44" rx="5" fill="#fff" />
      <rect x="22" y="15" width="20" height="12" rx="2" fill="#9db6f5" />
      <g fill="#1f4fd6">
        <circle cx="25" cy="34" r="2.2" />
        <circle cx="32" cy="34" r="2.2" />
        <circle cx="39" cy="34" r="2.2" />
        <circle cx="25" cy="41" r="2.2" />
        <circle cx="32" cy="41" r="2.2" />
        <circle cx="39" cy="41" r="2.2" />
        <circle cx="32" cy="48" r="2.2" />
      </g>
    </svg>
  );
}

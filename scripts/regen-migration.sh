#!/usr/bin/env bash
# Development helper: regenerate the newest, not yet released migration from schema.ts.
# Usage: bash scripts/regen-migration.sh 0007 service_desk_field_kb
set -euo pipefail
cd "$(dirname "$0")/.."
idx="$1"; name="$2"
dir=apps/server/migrations
rm -f "$dir/${idx}_"*.sql "$dir/meta/${idx}_snapshot.json"
node -e '
const fs=require("fs");const p=process.argv[1];const j=JSON.parse(fs.readFileSync(p,"utf8"));
j.entries=j.entries.filter(e=>e.idx!==Number(process.argv[2]));fs.writeFileSync(p,JSON.stringify(j,null,2)+"\n");
' "$dir/meta/_journal.json" "$idx"
npx drizzle-kit generate --config apps/server/drizzle.config.ts --name "$name"

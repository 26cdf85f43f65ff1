/** Every fault definition, by taxonomy code. */
import { CARD_FAULTS } from './cards.js';
import { ENVIRONMENT_FAULTS } from './environment.js';
import { HARDWARE_FAULTS } from './hardware.js';
import { HOST_FAULTS } from './host.js';
import { FAULT_IDS, type FaultId } from './ids.js';
import { NETWORK_FAULTS } from './network.js';
import { OPERATION_FAULTS } from './operation.js';
import { SECURITY_FAULTS } from './security.js';
import { SOFTWARE_FAULTS } from './software.js';
import type { FaultDefinition } from './types.js';

const ALL = [...HARDWARE_FAULTS, ...ENVIRONMENT_FAULTS, ...NETWORK_FAULTS, ...SOFTWARE_FAULTS, ...HOST_FAULTS, ...CARD_FAULTS, ...OPERATION_FAULTS, ...SECURITY_FAULTS];

export const FAULTS: ReadonlyMap<FaultId, FaultDefinition> = new Map(ALL.map((d) => [d.id, d]));

// A definition missing for an id, or defined twice, is a programming error worth failing loudly on at load.
if (FAULTS.size !== ALL.length || FAULT_IDS.some((id) => !FAULTS.has(id))) {
  throw new Error(`fault registry out of step with FAULT_IDS: missing ${FAULT_IDS.filter((id) => !FAULTS.has(id)).join(', ') || 'none'}`);
}

export function faultDefinition(id: FaultId): FaultDefinition {
  const d = FAULTS.get(id);
  if (!d) throw new Error(`unknown fault ${id}`);
  return d;
}

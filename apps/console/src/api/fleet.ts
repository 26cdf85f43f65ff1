/** Fleet and device-admin answers: the types come from the contracts package. */
export {
  FLEET_STATUSES,
  HEALTH_REASONS,
  REJECTION_REASONS,
  type FleetStatus,
  type HealthReason,
  type RejectionReason,
  type FleetDimRow,
  type FleetOverview,
  type TerminalLive,
  type TelemetryPoint,
  type DeviceEventRow,
  type DeviceTxnRow,
  type EnrollmentCode,
  type EnrollmentCodeCreated,
  type EnrollmentCodeInput,
  type DeviceCredential,
  type DeviceRejection,
  type DeviceRejections,
  type Telemetry
} from '@poscare/contracts';

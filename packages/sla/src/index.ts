export {
  Calendar,
  CalendarOverride,
  DayHours,
  Holiday,
  IsoDate,
  WeeklyHours,
  DEFAULT_CALENDARS,
  DEFAULT_CALENDARS_VERSION,
  applyCalendarOverrides,
  missingHolidayYears,
  parseCalendar,
  parseCalendarFile,
  type CalendarInput,
  type CalendarSet,
} from './calendar.js';
export { addBusinessMinutes, addBusinessMs, businessMinutesBetween, businessMsBetween, isOpenAt, nextOpening } from './businessTime.js';
export {
  CLOCKS,
  ClockName,
  DEFAULT_POLICY,
  EscalationAction,
  EscalationLadder,
  EscalationLevel,
  PolicyRule,
  SlaPolicy,
  parsePolicy,
  raisedPriority,
  ruleFor,
  type MerchantTier,
} from './policy.js';
export type { ClockState, Outcome, StopReason } from './clock.js';
export {
  SlaEvent,
  escalationId,
  evaluateSla,
  nextWakeUp,
  type ClockReport,
  type CycleReport,
  type Escalation,
  type Recipient,
  type ResolvedAction,
  type SlaEvaluation,
} from './sla.js';

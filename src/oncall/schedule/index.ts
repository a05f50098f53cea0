/** On-call schedules: the spec, the DST-safe engine that turns it into shifts, and iCalendar output. */

/** Who is on call when: layer shifts, the final timeline and the holder at an instant. */
export { finalTimeline, layerShifts, MAX_RANGE_DAYS, onCallAt, type ScheduleExtras } from './engine.js';
/** iCalendar rendering of shifts and stable event UIDs. */
export { type Calendar, type CalendarEvent, renderICalendar, shiftUid } from './ical.js';
/** Schedule schemas and types, one source for API, YAML and storage. */
export {
  type Layer,
  LayerSchema,
  LocalDateSchema,
  LocalTimeSchema,
  type Override,
  type Restriction,
  RestrictionSchema,
  type Rotation,
  RotationSchema,
  type ScheduleSpec,
  type ScheduleSpecInput,
  ScheduleSpecSchema,
  type Shift,
  type Swap,
  TimeZoneSchema,
  WEEKDAYS,
  type Weekday,
  WeekdaySchema,
} from './schedule.model.js';

/** Temperature and humidity around and inside the terminal, with the day's cycle and any heat source. */
import { indoorHumidity, indoorTemperature } from '../curves.js';
import type { Minute } from './minute.js';

export function updateEnvironment(m: Minute, busy: number): void {
  const { s, c } = m;
  const ambient = indoorTemperature(s.site.climate.indoorTempC, s.site.climate.swingC, m.local) + c.heat.ambientC + s.rng.normal(0, 0.3);
  const charging = s.battery?.docked && s.battery.pct < 100 ? 2.5 : 0;
  // The case lags the surroundings: move a fifth of the way to equilibrium each minute.
  const target = ambient + 7 + 6 * busy + charging + c.heat.internalC;
  const internal = s.env.internalC + (target - s.env.internalC) * 0.2;
  const humidity = c.humidityPct ?? indoorHumidity(s.site.climate.humidityPct, m.local) + s.rng.normal(0, 1);
  s.env = { ambientC: ambient, internalC: internal, humidityPct: Math.min(100, Math.max(0, humidity)) };
  if (internal >= 60) m.eventEvery('TEMP_HIGH', m.startMs + 10_000, 10 * 60_000, { temp: Math.round(internal) });
  if (c.keypadStuck > 0) m.eventEvery('MOISTURE', m.startMs + 20_000, 30 * 60_000);
}

/**
 * Alert wording in English, Spanish and Polish. The SNS subject must be ASCII, start with a
 * letter or digit, hold no line breaks and stay under 100 characters; the message may be UTF-8.
 */
import type { SignalKind } from './strategies/types.ts';

export const ALERT_LANGUAGES = ['en', 'es', 'pl'] as const;
export type AlertLanguage = (typeof ALERT_LANGUAGES)[number];
export const MAX_SUBJECT_LENGTH = 99;

export interface AlertFacts {
  symbol: string;
  signal: SignalKind;
  /** crossover, threshold, anomaly, or the name of a user's strategy. */
  strategy: string;
  price: number;
  /** Time of the point that raised the signal. */
  timestamp: string;
  indicators: Record<string, number>;
}

interface Phrasebook {
  signal: Record<SignalKind, string>;
  reason: {
    crossover: (signal: SignalKind, facts: AlertFacts) => string;
    threshold: (signal: SignalKind, facts: AlertFacts) => string;
    anomaly: (facts: AlertFacts) => string;
    /** A user's strategy: its name says why. */
    other: (facts: AlertFacts) => string;
  };
  at: string;
  time: string;
  indicators: string;
  footer: string;
}

const n = (value: number | undefined, digits = 2) => (value === undefined ? '?' : value.toFixed(digits));

const PHRASES: Record<AlertLanguage, Phrasebook> = {
  en: {
    signal: { BUY: 'BUY', SELL: 'SELL', ANOMALY: 'ANOMALY' },
    reason: {
      crossover: (s) => (s === 'BUY' ? 'short SMA crossed above long SMA' : 'short SMA crossed below long SMA'),
      threshold: (s, f) =>
        `${s === 'BUY' ? 'up' : 'down'} ${n(Math.abs(f.indicators.change_pct ?? 0))}% with price beyond its SMA`,
      anomaly: (f) => `moved ${n(f.indicators.change_percent)}% in one observation`,
      other: (f) => `signal of the ${f.strategy} strategy`,
    },
    at: 'at',
    time: 'Time',
    indicators: 'Indicators',
    footer: 'Sent by stockpipe. This is not financial advice.',
  },
  es: {
    signal: { BUY: 'COMPRA', SELL: 'VENTA', ANOMALY: 'ANOMALÍA' },
    reason: {
      crossover: (s) =>
        s === 'BUY' ? 'la SMA corta cruzó por encima de la SMA larga' : 'la SMA corta cruzó por debajo de la SMA larga',
      threshold: (s, f) =>
        `${s === 'BUY' ? 'subió' : 'bajó'} un ${n(Math.abs(f.indicators.change_pct ?? 0))}% con el precio más allá de su SMA`,
      anomaly: (f) => `se movió un ${n(f.indicators.change_percent)}% en una sola observación`,
      other: (f) => `señal de la estrategia ${f.strategy}`,
    },
    at: 'a',
    time: 'Hora',
    indicators: 'Indicadores',
    footer: 'Enviado por stockpipe. Esto no es asesoramiento financiero.',
  },
  pl: {
    signal: { BUY: 'KUPUJ', SELL: 'SPRZEDAJ', ANOMALY: 'ANOMALIA' },
    reason: {
      crossover: (s) =>
        s === 'BUY' ? 'krótka SMA przecięła długą SMA od dołu' : 'krótka SMA przecięła długą SMA od góry',
      threshold: (s, f) =>
        `${s === 'BUY' ? 'wzrost' : 'spadek'} o ${n(Math.abs(f.indicators.change_pct ?? 0))}% przy cenie poza średnią SMA`,
      anomaly: (f) => `zmiana o ${n(f.indicators.change_percent)}% w jednej obserwacji`,
      other: (f) => `sygnał strategii ${f.strategy}`,
    },
    at: 'po',
    time: 'Czas',
    indicators: 'Wskaźniki',
    footer: 'Wysłane przez stockpipe. To nie jest porada inwestycyjna.',
  },
};

export function isAlertLanguage(value: string): value is AlertLanguage {
  return (ALERT_LANGUAGES as readonly string[]).includes(value);
}

export function alertText(facts: AlertFacts, language: AlertLanguage = 'en'): { subject: string; message: string } {
  const phrases = PHRASES[language];
  const signal = phrases.signal[facts.signal];
  const { reason: reasons } = phrases;
  const reason =
    facts.strategy === 'anomaly'
      ? reasons.anomaly(facts)
      : facts.strategy === 'crossover' || facts.strategy === 'threshold'
        ? reasons[facts.strategy](facts.signal, facts)
        : reasons.other(facts);
  const headline = `${signal} ${facts.symbol} ${phrases.at} ${n(facts.price)}: ${reason}`;
  const indicatorLines = Object.entries(facts.indicators).map(([key, value]) => `  ${key}: ${n(value, 4)}`);
  const message = [
    headline,
    '',
    `${phrases.time}: ${facts.timestamp}`,
    `${phrases.indicators} (${facts.strategy}):`,
    ...indicatorLines,
    '',
    phrases.footer,
  ].join('\n');
  return { subject: toSubject(`stockpipe ${headline}`), message };
}

/** ASCII only (diacritics folded, ł → l), no control characters, under 100 characters. */
export function toSubject(text: string): string {
  const ascii = text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ł/g, 'l')
    .replace(/Ł/g, 'L')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return ascii.length <= MAX_SUBJECT_LENGTH ? ascii : `${ascii.slice(0, MAX_SUBJECT_LENGTH - 3).trimEnd()}...`;
}

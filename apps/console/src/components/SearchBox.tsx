import { useEffect, useState } from 'react';
import { Input } from 'antd';
import { SearchOutlined } from '@ant-design/icons';

/** A search input that reports its value after the user pauses typing (or presses Enter). */
export function SearchBox({
  value,
  onChange,
  placeholder,
  testId,
  width = 280,
}: {
  value?: string;
  onChange: (v: string) => void;
  placeholder?: string;
  testId?: string;
  width?: number | string;
}) {
  const [text, setText] = useState(value ?? '');
  useEffect(() => setText(value ?? ''), [value]);
  useEffect(() => {
    if (text === (value ?? '')) return;
    const h = setTimeout(() => onChange(text.trim()), 350);
    return () => clearTimeout(h);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [text]);
  return (
    <Input
      allowClear
      prefix={<SearchOutlined style={{ color: '#8c8c8c' }} />}
      placeholder={placeholder}
      value={text}
      onChange={(e) => setText(e.target.value)}
      onPressEnter={() => onChange(text.trim())}
      style={{ width, maxWidth: '100%' }}
      data-testid={testId}
    />
  );
}
